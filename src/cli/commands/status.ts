import { describeDeadLetterKinds } from '../../observability/dead-letter-reasons.js';
import { Command } from 'commander';
import type { Config } from '../../../config/config-schema.js';
import { openSource } from '../../app/open-pipeline.js';
import type { Logger } from '../../observability/logger.js';
import type { SourceLag } from '../../source.js';
import { sourceAdapterFor } from '../../source-adapter-for.js';
import { collectHaStatus, haStatusRows, type HaStatus } from '../../ha/ha-status.js';
import { parseStateStoreUrl } from '../../state/state-store-url.js';
import { assembleStatus, readStoredStatus, type StatusReport } from '../../observability/status-report.js';
import { LAST_VERIFY_META, type LastVerify } from '../../observability/live-status.js';
import { keepsRemovedTotp } from '../../cidaas/cidaas-compat.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { printJson } from '../output/print-json.js';
import { textTable } from '../output/text-table.js';
import { usingStateStore } from '../using-state-store.js';

export { PENDING_META } from '../../observability/status-report.js';

const SOURCE_TIMEOUT_MS = 3000;

async function sourceLag(config: Config, logger: Logger): Promise<{ lag: SourceLag | null; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { source, dialect } = await openSource(config, logger);
    try {
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${SOURCE_TIMEOUT_MS / 1000} s`)), SOURCE_TIMEOUT_MS); });
      return { lag: await Promise.race([source.lag(), timeout]) };
    } finally {
      clearTimeout(timer);
      await source.stop().catch(() => undefined);
      await dialect.close().catch(() => undefined);
    }
  } catch (err) {
    return { lag: null, error: (err as Error).message };
  }
}

/** What `status --json` prints: with `ha.enabled` also the lease, its holder and fencing token. */
type StatusWithHa = StatusReport & { ha?: HaStatus };

async function collect(config: Config, logger: Logger): Promise<StatusWithHa> {
  const loc = parseStateStoreUrl(config.state.url.reveal());
  const lagPromise = sourceLag(config, logger);
  const stored = await usingStateStore(config, logger, readStoredStatus);
  const { lag, error } = await lagPromise;
  const ha = config.ha.enabled ? await collectHaStatus(config) : undefined;
  return { ...assembleStatus(loc.display, stored, lag, error), ...(ha ? { ha } : {}) };
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

function bytes(n: number): string {
  return n < 1024 * 1024 ? `${n} bytes` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** `retainedBy`: who retains the log, as the source adapter says it (`by slot cidaas_sync`), or null. */
function render(r: StatusWithHa, retainedBy: string | null): string {
  const rows: string[][] = [];
  const b = r.backfill;
  rows.push(['state store', `${r.store.location}${r.store.exists ? '' : ' (not created yet: cidaas-sync has not run with this configuration)'}`]);
  rows.push(['checkpoint', r.checkpoint ? `${r.checkpoint.position} at ${r.checkpoint.updatedAt} (${ago(r.checkpoint.updatedAt)})` : 'none yet']);
  rows.push(['backfill', !b ? 'not started' : b.status === 'done'
    ? `done: ${b.usersDone} users, finished ${b.finishedAt ?? '?'}`
    : `running: ${b.usersDone}${b.usersTotal ? `/${b.usersTotal} (${Math.floor((100 * b.usersDone) / Math.max(1, b.usersTotal))}%)` : ''} users, last key ${b.lastKey ?? '(none yet)'}, started ${b.startedAt}`]);
  if (r.users) rows.push(['users', `${r.users.live} live in cidaas, ${r.users.deleted} deleted`]);
  if (r.deadLetters !== null) rows.push(['dead letters', r.deadLetters ? `${r.deadLetters}${r.deadLettersByReason ? `: ${describeDeadLetterKinds(r.deadLettersByReason)}` : ''} (see \`cidaas-sync dlq list\`)` : '0']);
  rows.push(['last push', r.lastPushAt ? `${r.lastPushAt} (${ago(r.lastPushAt)})` : 'none yet']);
  rows.push(['pending users', r.pendingUsers ? `${r.pendingUsers.users}${r.pendingUsers.at ? ` (as of ${r.pendingUsers.at})` : ''}` : 'unknown here (see /metrics cidaas_sync_pending_users)']);
  const s = r.source;
  if (!s.reachable) rows.push(['source', `not reachable: ${s.error ?? 'unknown error'}`]);
  else {
    rows.push(['lag', s.lagBytes === null ? 'unknown (no slot yet)'
      : `${bytes(s.lagBytes)}${s.lagSecondsApprox !== null ? `, about ${s.lagSecondsApprox} s (time since the checkpoint last moved: an approximation)` : ''}`]);
    if (s.retainedBytes !== null) rows.push(['WAL retained', `${bytes(s.retainedBytes)}${retainedBy !== null ? ` ${retainedBy}` : ''}`]);
  }
  if (r.ha) rows.push(...haStatusRows(r.ha));
  return textTable(rows) + '\n';
}

/** `cidaas-sync status [--json]`: the checkpoint, backfill, users, dead letters and lag; safe while `run` runs. */
/** The last verify or cutover as the state store keeps it (counts, reports), or null. */
async function lastVerify(config: Config, logger: Logger): Promise<LastVerify | null> {
  const raw = await usingStateStore(config, logger, (store) => store.getMeta(LAST_VERIFY_META)).catch(() => null);
  try {
    return raw ? (JSON.parse(raw) as LastVerify) : null;
  } catch {
    return null;
  }
}

/**
 * `cidaas.compat.totpImport: flag-only`: how many users must enrol their authenticator again,
 * as the last verify counted them (verify lists them; the state store does not know).
 */
function totpReenrolNote(config: Config, last: LastVerify | null): { users: number | null; at: string | null; text: string } | null {
  if (config.cidaas.compat.totpImport !== 'flag-only') return null;
  const users = typeof last?.counts['totpReenrol'] === 'number' ? last.counts['totpReenrol'] : null;
  const text = users === null
    ? 'TOTP: cidaas.compat.totpImport is flag-only: users with an authenticator must enrol it again; `cidaas-sync verify` lists them'
    : `TOTP: ${users} users must enrol their authenticator again (cidaas.compat.totpImport flag-only; as of the ${last!.command} at ${last!.at}; listed in ${last!.reports[0] ?? 'its report'})`;
  return { users, at: last?.at ?? null, text };
}

/**
 * TOTP seeds removed in legacy that cidaas still holds, as the last verify counted them: shown with
 * `cidaas.compat.totpRemoval: unsupported`, or whenever the last verify found some (a tenant that
 * ignored the removal shape sent). An admin must reset these users' MFA in cidaas.
 */
function totpStrandedNote(config: Config, last: LastVerify | null): { users: number | null; at: string | null; text: string } | null {
  const users = typeof last?.counts['totpStranded'] === 'number' ? last.counts['totpStranded'] : null;
  if (!keepsRemovedTotp(config.cidaas.compat) && !(users !== null && users > 0)) return null;
  const text = users === null
    ? 'TOTP: cidaas.compat.totpRemoval is unsupported: an authenticator removed in legacy keeps working in cidaas until an admin resets the user\'s MFA there; `cidaas-sync verify` lists them'
    : `TOTP: ${users} users keep in cidaas an authenticator removed in legacy: an admin must reset their MFA in cidaas (as of the ${last!.command} at ${last!.at}; listed in ${last!.reports[0] ?? 'its report'})`;
  return { users, at: last?.at ?? null, text };
}

export function statusCommand(): Command {
  const cmd = new Command('status')
    .description('show the checkpoint, backfill progress, users pushed, dead letters, last push, lag and retained WAL; reads the state store and works while `run` runs')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExamples:\n  cidaas-sync status --config /etc/cidaas-sync/config.yaml\n  cidaas-sync status --json | jq .source.lagBytes');
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; json?: boolean }) => {
    const config = await configFrom(opts);
    const logger = commandLogger('error');
    const report = await collect(config, logger);
    const last = await lastVerify(config, logger);
    const reenrol = totpReenrolNote(config, last);
    const stranded = totpStrandedNote(config, last);
    if (opts.json) printJson({ ...report, ...(reenrol ? { totpReenrol: reenrol } : {}), ...(stranded ? { totpStranded: stranded } : {}) });
    else process.stdout.write(render(report, (await sourceAdapterFor(config.source)).retainedBy) + [reenrol, stranded].map((n) => (n ? `${n.text}\n` : '')).join(''));
  });
  return cmd;
}
