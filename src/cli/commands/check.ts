import { Command } from 'commander';
import type { Config } from '../../../config/config-schema.js';
import { ExitCode } from '../../errors.js';
import { checkHa, storedServerId } from '../../ha/ha-preflight.js';
import type { Logger } from '../../observability/logger.js';
import { checkCanary } from '../../preflight/canary-preflight.js';
import { checkCidaas } from '../../preflight/cidaas-preflight.js';
import { checkTenantFromReads } from '../../preflight/tenant-from-preflight.js';
import { checkTenantPreconditions } from '../../preflight/tenant-preflight.js';
import { checkMappedUsers, checkMappingModule } from '../../preflight/mapping-preflight.js';
import type { PreflightItem, PreflightSection, RepairOutcome } from '../../preflight/preflight-item.js';
import { expectedTables } from '../../preflight/expected-columns.js';
import type { SourceAdapter } from '../../source-adapter.js';
import { sourceAdapterFor } from '../../source-adapter-for.js';
import { confirmRepairPlan, renderRepairPlan, repairPlan } from '../confirm-repair-plan.js';
import { presetReportOf } from '../../../config/load-config.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { preflightJson, renderPreflight, summarize } from '../output/preflight-report.js';
import { presetSection } from '../output/preset-summary.js';
import { printJson } from '../output/print-json.js';
import { usingLegacyReader } from '../using-legacy-reader.js';
import { usingStateStore } from '../using-state-store.js';

async function mappingSection(config: Config, logger: Logger): Promise<PreflightItem[]> {
  const { item, mapping } = await checkMappingModule(config);
  if (item && !item.ok) return [item];
  const users = await usingLegacyReader(config, logger, ({ reader, mapper }) => checkMappedUsers(reader, mapper), mapping)
    .catch((err: unknown) => [{ name: 'mapping', ok: false, detail: (err as Error).message, fix: 'fix the source items above first' }]);
  return [...(item ? [item] : []), ...users];
}

/** Every preflight check: the source, cidaas and the mapping, the first two at once. */
async function runChecks(config: Config, adapter: SourceAdapter, logger: Logger): Promise<PreflightSection[]> {
  // Only the binlog check needs the checkpoint (is it still in the binlog?). A broken state store is
  // not a source problem: the checks then run as if nothing was stored.
  const checkpoint = !adapter.preflightNeedsCheckpoint ? null
    : await usingStateStore(config, logger, async (store) => (await store.getCheckpoint())?.position ?? null).catch(() => null);
  const [source, tenantFrom, cidaas, tenant] = await Promise.all([
    adapter.preflight({ tables: expectedTables(config), checkpoint, logger }),
    checkTenantFromReads(config, logger).catch((err: unknown) => [{ name: 'tenant.from tables', ok: false, detail: `cannot check them: ${(err as Error).message}`, fix: 'fix the source items above first' }]),
    checkCidaas(config, logger), checkTenantPreconditions(config, logger),
  ]);
  const canary = await usingStateStore(config, logger, (store) => checkCanary(config, store)).catch(() => null) ?? await checkCanary(config, null);
  const preset = presetReportOf(config);
  return [
    ...(preset ? [presetSection(preset)] : []),
    { title: `source (${adapter.kind})`, items: [...source, ...tenantFrom] },
    { title: 'cidaas', items: [...cidaas, ...tenant, canary] },
    { title: 'mapping', items: await mappingSection(config, logger) },
    ...(config.ha.enabled
      ? [{ title: 'high availability', items: checkHa(config, await usingStateStore(config, logger, storedServerId).catch(() => null)) }]
      : []),
  ];
}

/** The source section's items (the preset section, when there is one, comes first). */
function sourceItems(sections: readonly PreflightSection[]): readonly PreflightItem[] {
  return sections.find((s) => s.title.startsWith('source'))?.items ?? [];
}

/** `cidaas-sync check [--fix] [--json]`: every prerequisite as pass/fail with its fix; exit 3 when one fails. */
export function checkCommand(): Command {
  const cmd = new Command('check')
    .description('check every prerequisite (database settings, grants, publication, slot, tables and columns, cidaas token and scopes, mapping) and print the SQL or config line that fixes each failure; exit 3 when one fails')
    .option('--fix', 'print the statements that repair what the configured role may (create the publication or add tables to it, REPLICA IDENTITY FULL), run them after confirmation, then check again; the slot is left to `run`')
    .option('--yes', 'with --fix: run the statements without asking (needed when not on a terminal)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Exit codes: 0 every check passed (warnings allowed), 2 bad configuration, 3 a check failed.',
      '',
      'Examples:',
      '  cidaas-sync check --config /etc/cidaas-sync/config.yaml',
      '  cidaas-sync check --fix            # show the repair statements, ask, then run them',
      '  cidaas-sync check --fix --yes      # the same without asking (scripts)',
      '  cidaas-sync check --json | jq \'.sections[].items[] | select(.ok | not)\'',
    ].join('\n'));
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; fix?: boolean; yes?: boolean; json?: boolean }) => {
    const config = await configFrom(opts);
    const logger = commandLogger();
    const adapter = await sourceAdapterFor(config.source);
    let sections = await runChecks(config, adapter, logger);
    let repairs: RepairOutcome[] | undefined;
    if (opts.fix) {
      const plan = repairPlan(sourceItems(sections));
      // With --json the plan goes to stderr, so stdout stays one JSON document.
      const planOut = opts.json ? process.stderr : process.stdout;
      planOut.write(renderRepairPlan(plan, 'the role in source.url'));
      if (plan.length === 0 || (await confirmRepairPlan({ yes: opts.yes === true, input: process.stdin, output: planOut }))) {
        repairs = await adapter.repair(sourceItems(sections), logger);
        sections = await runChecks(config, adapter, logger);
      } else {
        planOut.write('nothing was changed: run `cidaas-sync check --fix --yes` to run these statements\n');
      }
    }
    if (opts.json) printJson(preflightJson(sections, repairs));
    else process.stdout.write(renderPreflight(sections, repairs, process.stdout.isTTY === true));
    if (summarize(sections).failed > 0) process.exitCode = ExitCode.preflight;
  });
  return cmd;
}
