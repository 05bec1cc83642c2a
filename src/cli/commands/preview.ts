import { Command, InvalidArgumentError } from 'commander';
import type { CidaasUser } from '../../cidaas/cidaas-user.js';
import { SyncError } from '../../errors.js';
import type { LegacyRows } from '../../legacy-reader.js';
import { lintCidaasUser, type LintFinding } from '../../preflight/cidaas-user-lint.js';
import type { MappedUser } from '../../user-mapper.js';
import { presetReportOf } from '../../../config/load-config.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { plural } from '../output/plural.js';
import { presetJson, renderPresetSummary } from '../output/preset-summary.js';
import { printJson } from '../output/print-json.js';
import { usingLegacyReader } from '../using-legacy-reader.js';

/** One user as `preview` shows it. */
export interface PreviewEntry {
  key: string;
  sub: string;
  /** What the push would do: upsert the entity, delete the user in cidaas, skip it, or dead-letter it (invalid). */
  action: MappedUser['kind'];
  /** The entity the bulk API would get, secrets shown as `[redacted]` (upsert only). */
  entity?: Record<string, unknown>;
  /** Why the user is deleted or cannot be pushed. */
  reason?: string;
  findings: LintFinding[];
}

function limit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new InvalidArgumentError('expected an integer 1..1000');
  return n;
}

/**
 * The entity as JSON with every secret redacted: the password hash and TOTP secret are Secrets
 * (they serialise as `[redacted]`), and the salt is hidden too; the algorithm stays visible.
 */
function redacted(user: CidaasUser): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(user)) as Record<string, unknown>;
  const pw = plain.password_hash_info as { hData?: { salt?: string } } | undefined;
  if (pw?.hData?.salt !== undefined) pw.hData.salt = '[redacted]';
  return plain;
}

function entry(key: string, m: MappedUser): PreviewEntry {
  switch (m.kind) {
    case 'upsert':
      return { key, sub: m.sub, action: 'upsert', entity: redacted(m.user), findings: lintCidaasUser(m.user) };
    case 'delete':
      return { key, sub: m.sub, action: 'delete', reason: m.reason === 'gone' ? 'no longer in the users table' : m.reason === 'soft-deleted' ? 'soft-deleted (users.softDelete)' : 'the mapping module says delete', findings: [] };
    case 'skip':
      return { key, sub: m.sub, action: 'skip', reason: 'the mapping module says skip', findings: [] };
    case 'invalid':
      return { key, sub: m.sub, action: 'invalid', reason: m.reason, findings: [{ field: 'user', message: `cannot be pushed (would be a dead letter): ${m.reason}` }] };
  }
}

function render(entries: readonly PreviewEntry[]): string {
  const out: string[] = [];
  for (const e of entries) {
    const head = `user ${e.key} -> ${e.sub}: ${e.action}`;
    out.push(e.reason ? `${head} (${e.reason})` : head);
    if (e.entity) out.push(JSON.stringify(e.entity, null, 2).replace(/^/gm, '  '));
    for (const f of e.findings) if (e.action !== 'invalid') out.push(`  ! ${f.field}: ${f.message}`);
  }
  out.push('', summaryLine(entries));
  return out.join('\n') + '\n';
}

function summaryLine(entries: readonly PreviewEntry[]): string {
  const by = (k: MappedUser['kind']): number => entries.filter((e) => e.action === k).length;
  const findings = entries.reduce((n, e) => n + e.findings.length, 0);
  const withFindings = entries.filter((e) => e.findings.length > 0).length;
  return `${plural(entries.length, 'user')} previewed: ${by('upsert')} upsert, ${by('delete')} delete, ${by('skip')} skip, ${by('invalid')} invalid; ` +
    `${plural(findings, 'finding')} in ${plural(withFindings, 'user')}`;
}

/** `cidaas-sync preview [--limit N] [--after KEY] [--json]`: what the first users would become in cidaas, linted. Never contacts cidaas. */
export function previewCommand(): Command {
  const cmd = new Command('preview')
    .description('show the cidaas entities the first users (in key order) would become, secrets redacted, each linted against the cidaas bulk API; never contacts cidaas')
    .option('-n, --limit <n>', 'how many users (1..1000)', limit, 10)
    .option('--after <key>', 'start after this legacy key')
    .option('--json', 'print the entities and findings as JSON')
    .addHelpText('after', [
      '',
      'Findings do not change the exit code (0); the last line counts them.',
      '',
      'Examples:',
      '  cidaas-sync preview --config ./cidaas-sync.yaml --limit 5',
      '  cidaas-sync preview --limit 1000 --json | jq \'.users[] | select(.findings | length > 0)\'',
    ].join('\n'));
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; limit: number; after?: string; json?: boolean }) => {
    const config = await configFrom(opts);
    const entries = await usingLegacyReader(config, commandLogger(), async ({ reader, mapper }) => {
      let keys: string[];
      let rows: Map<string, LegacyRows>;
      try {
        keys = await reader.pageKeys(opts.after ?? null, opts.limit);
        rows = await reader.readUsers(keys);
      } catch (err) {
        if (err instanceof SyncError) throw err;
        throw new SyncError('SOURCE_UNAVAILABLE', `reading users from the legacy database failed: ${(err as Error).message}`, {
          hint: 'run `cidaas-sync check`: it names the missing table, column, grant or connection setting', cause: err,
        });
      }
      const out: PreviewEntry[] = [];
      for (const key of keys) {
        let m: MappedUser;
        try {
          m = await mapper.map(rows.get(key)!);
        } catch (err) {
          m = { kind: 'invalid', sub: mapper.subOf(key), reason: `mapping failed: ${(err as Error).message}` };
        }
        out.push(entry(key, m));
      }
      return out;
    });
    if (opts.json) {
      const findings = entries.reduce((n, e) => n + e.findings.length, 0);
      const preset = presetReportOf(config);
      printJson({ ...(preset ? { preset: presetJson(preset) } : {}), users: entries, summary: { users: entries.length, findings, usersWithFindings: entries.filter((e) => e.findings.length > 0).length } });
    } else {
      const preset = presetReportOf(config);
      process.stdout.write((preset ? renderPresetSummary(preset) : '') + render(entries));
    }
  });
  return cmd;
}
