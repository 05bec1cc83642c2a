import type { Config } from '../../config/config-schema.js';
import { openSource } from '../app/open-pipeline.js';
import { readerTables } from '../app/pipeline-tables.js';
import { providerOf } from '../map-user-identities.js';
import { SqlLegacyReader } from '../sql-legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { TenantAdminClient } from '../tenant/tenant-admin-client.js';
import { fail, pass, warn, type PreflightItem } from './preflight-item.js';

/** The scope reading the tenant's login providers needs. */
export const PROVIDERS_READ = 'cidaas:providers_read';
/** Most distinct legacy providers read (and asked about one by one). */
export const MAX_LEGACY_PROVIDERS = 50;

/**
 * Every cidaas provider `users.identities` can name: the distinct providers of the linked
 * accounts table, read once (at most {@link MAX_LEGACY_PROVIDERS}), through `map`. `null` when
 * there are more (a warning).
 */
export async function nameableProviders(config: Config, logger: Logger): Promise<string[] | null> {
  const id = config.users.identities;
  if (!id) return [];
  const { source, dialect } = await openSource(config, logger);
  const reader = new SqlLegacyReader(dialect, readerTables(config));
  try {
    const legacy = await reader.distinctValues('identities', id.provider, MAX_LEGACY_PROVIDERS);
    return legacy === null ? null : [...new Set(legacy.map((p) => providerOf(id, p)))].sort();
  } finally {
    await reader.close().catch(() => undefined);
    await source.stop().catch(() => undefined);
  }
}

/** The provider as the tenant holds it: a social provider by name, else a custom provider (3.x, then 4.x); null when none. */
export async function readProvider(admin: TenantAdminClient, name: string): Promise<Record<string, unknown> | null> {
  return await admin.read('socialProvider', name, 3)
    ?? await admin.read('customProvider', name, 3).catch(() => null)
    ?? await admin.read('customProvider', name, 4).catch(() => null);
}

/**
 * One item per login provider the linked accounts name: it exists and is enabled in the tenant, or
 * the `setup` fix. A user linked to a missing provider cannot log in with it after the migration
 * (and cidaas may refuse the user).
 */
export async function checkIdentityPreconditions(
  config: Config, logger: Logger, scopes: readonly string[], admin: () => TenantAdminClient,
): Promise<PreflightItem[]> {
  if (!config.users.identities) return [];
  let names: string[] | null;
  try {
    names = await nameableProviders(config, logger);
  } catch (err) {
    return [warn('login providers', `cannot read the legacy providers: ${(err as Error).message}`, 'fix the source items above first')];
  }
  if (names === null) {
    return [warn('login providers', `the linked accounts name more than ${MAX_LEGACY_PROVIDERS} providers: too many to check one by one`,
      'check the providers in the tenant by hand, or narrow users.identities.filter')];
  }
  if (!names.length) return [];
  if (!scopes.includes(PROVIDERS_READ)) {
    return [warn('login providers', `cannot check that ${names.join(', ')} exist in the tenant: the client lacks ${PROVIDERS_READ}`,
      `grant client "${config.cidaas.clientId}" the scope ${PROVIDERS_READ}`)];
  }
  const tenant = config.tenant;
  const declared = new Set([
    ...(tenant?.socialProviders ?? []).flatMap((p) => [p.provider, p.name ?? p.provider]),
    ...(tenant?.customProviders ?? []).map((p) => p.name),
  ]);
  const client = admin();
  const items: PreflightItem[] = [];
  for (const name of names) {
    const provider = await readProvider(client, name);
    const fix = declared.has(name)
      ? 'run `cidaas-sync setup apply --config <this file>`: tenant declares it'
      : `declare it under tenant.socialProviders with the legacy site's own OAuth client (e.g. \`- { provider: ${name}, clientId: <the legacy client id>, clientSecret: "\${file:...}" }\`; ` +
        'Google and Facebook user ids are per client), then run `cidaas-sync setup apply --config <this file>`';
    if (provider === null) items.push(fail(`login provider ${name}`, 'missing in the tenant: its linked users could not log in with it', fix));
    else if (provider['enabled'] === false) items.push(fail(`login provider ${name}`, 'disabled in the tenant: its linked users could not log in with it', fix));
    else items.push(pass(`login provider ${name}`, 'exists and is enabled'));
  }
  return items;
}
