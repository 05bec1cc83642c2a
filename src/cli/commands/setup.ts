import { Command } from 'commander';
import type { Config } from '../../../config/config-schema.js';
import type { TenantConfig } from '../../../config/tenant-schema.js';
import { openSource } from '../../app/open-pipeline.js';
import { ExitCode, SyncError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { readLegacyTenant, type LegacyTenant } from '../../tenant/legacy-tenant.js';
import { TenantAdminClient } from '../../tenant/tenant-admin-client.js';
import { formatPlan, type PlanEntry } from '../../tenant/tenant-plan.js';
import { applyTenant, declared, generationOf, planTenant } from '../../tenant/tenant-setup.js';
import type { ApiGeneration, DesiredResource } from '../../tenant/tenant-resources.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { printJson } from '../output/print-json.js';

function tenantOf(config: Config): TenantConfig {
  if (!config.tenant) {
    throw new SyncError('USAGE', 'the configuration has no `tenant:` section: nothing to set up', {
      hint: 'declare the custom fields, roles, groups, providers and apps under `tenant:` (README, "Before the users: the tenant")', exitCode: ExitCode.config,
    });
  }
  return config.tenant;
}

/** Opens the admin client, reads the legacy apps and providers of `from:` and the generation, runs `fn`. */
async function usingSetup<T>(config: Config, logger: Logger, fn: (c: TenantAdminClient, resources: DesiredResource[], gen: ApiGeneration, notes: string[]) => Promise<T>): Promise<T> {
  const t = tenantOf(config);
  let legacy: LegacyTenant = { apps: [], socialProviders: [], customProviders: [], notes: [] };
  if (t.from.apps || t.from.providers) {
    const { source, dialect } = await openSource(config, logger);
    try {
      legacy = await readLegacyTenant(dialect, t.from, config.source.kind);
    } finally {
      await dialect.close().catch(() => undefined);
      await source.stop().catch(() => undefined);
    }
  }
  const client = new TenantAdminClient({
    baseUrl: config.cidaas.baseUrl, clientId: config.cidaas.clientId, clientSecret: config.cidaas.clientSecret, logger,
    allowEmulator: config.cidaas.allowEmulator,
    ...(t.appsPath ? { appsPath: t.appsPath } : {}),
  });
  try {
    const gen = await generationOf(t, client);
    const notes = [...legacy.notes];
    const resources = declared(t, legacy, notes);
    return await fn(client, resources, gen, notes);
  } finally {
    await client.close();
  }
}

function planCommand(): Command {
  const cmd = new Command('plan')
    .description('compare the declared tenant setup with the tenant and print what apply would create or change, field by field; exit 0 when nothing would change, 5 when something would')
    .option('--json', 'print the plan as JSON');
  withConfigOption(cmd);
  return cmd.action(async (opts: { config: string; json?: boolean }) => {
    const config = await configFrom(opts);
    const { entries, gen, notes } = await usingSetup(config, commandLogger(), async (client, resources, gen, notes) => ({ entries: await planTenant(client, resources, gen), gen, notes }));
    if (opts.json) printJson({ apiGeneration: gen, entries, notes });
    else process.stdout.write(`cidaas ${gen}.x\n${formatPlan(entries)}\n${notes.map((n) => `note: ${n}\n`).join('')}`);
    if (entries.some((e) => e.action !== 'unchanged')) process.exitCode = ExitCode.changes;
  });
}

function applyCommand(): Command {
  const cmd = new Command('apply')
    .description('create or change the declared custom fields, roles, groups, providers and apps in dependency order; never deletes; re-run after a fix')
    .addHelpText('after', '\nExamples:\n  cidaas-sync setup plan --config sync.yaml\n  cidaas-sync setup apply --config sync.yaml');
  withConfigOption(cmd);
  return cmd.action(async (opts: { config: string }) => {
    const config = await configFrom(opts);
    await usingSetup(config, commandLogger(), async (client, resources, gen, notes) => {
      process.stdout.write(`cidaas ${gen}.x\n`);
      const print = (e: PlanEntry): void => { process.stdout.write(`${formatPlan([e]).split('\n\n')[0]}\n`); };
      const done = await applyTenant(client, resources, gen, tenantOf(config), print);
      const count = (a: PlanEntry['action']): number => done.filter((e) => e.action === a).length;
      process.stdout.write(`\napplied: ${count('create')} created, ${count('update')} changed, ${count('unchanged')} unchanged\n${notes.map((n) => `note: ${n}\n`).join('')}`);
    });
  });
}

/** `cidaas-sync setup plan|apply`: the tenant's one-time setup as code. */
export function setupCommand(): Command {
  return new Command('setup')
    .description('the tenant before the users: custom fields, roles, group types, groups, social and custom login providers, apps (plan, apply)')
    .addCommand(planCommand())
    .addCommand(applyCommand())
    .hook('preSubcommand', (self, sub) => { sub.copyInheritedSettings(self); });
}
