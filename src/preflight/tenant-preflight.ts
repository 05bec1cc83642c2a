import type { Config } from '../../config/config-schema.js';
import { CidaasClient } from '../cidaas/cidaas-client.js';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { TenantAdminClient } from '../tenant/tenant-admin-client.js';
import { checkGroupPreconditions } from './group-preconditions.js';
import { checkIdentityPreconditions } from './identity-preconditions.js';
import { fail, pass, warn, type PreflightItem } from './preflight-item.js';

const FIELD_READ = 'cidaas:field_setup_read';

/** Every customFields key the YAML mapping can produce (users and attributes). */
export function mappedCustomFieldKeys(config: Config): string[] {
  return [...new Set([...Object.keys(config.users.customFields), ...Object.keys(config.attributes?.customFields ?? {})])].sort();
}

/**
 * The user sync's preconditions in the tenant: every custom field the mapping can produce exists
 * and is enabled in the field setup, and every group `users.groups` can name exists. cidaas drops
 * an unknown customFields key silently, so a missing field loses data without a single error; a
 * missing group fails the user or drops the membership; a user linked to a missing login provider
 * cannot log in with it. Needs `cidaas:field_setup_read`, `cidaas:groups_read` and
 * `cidaas:providers_read`; without one, its check is a warning that says so.
 */
export async function checkTenantPreconditions(config: Config, logger: Logger): Promise<PreflightItem[]> {
  const keys = mappedCustomFieldKeys(config);
  if (!keys.length && !config.users.groups && !config.users.identities) return [];
  const c = config.cidaas;
  const probe = new CidaasClient({
    baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, logger: logger.child({ component: 'cidaas' }), allowEmulator: c.allowEmulator,
    connections: 1, requestTimeoutMs: 10_000, retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1000 },
  });
  let scopes: string[];
  try {
    scopes = await probe.tokenScopes();
  } catch {
    return []; // The cidaas section reports the token problem.
  } finally {
    await probe.close();
  }
  let admin: TenantAdminClient | undefined;
  const adminClient = (): TenantAdminClient =>
    (admin ??= new TenantAdminClient({ baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, logger, allowEmulator: c.allowEmulator }));
  try {
    return [
      ...await checkCustomFields(config, keys, scopes, adminClient),
      ...await checkGroupPreconditions(config, logger, scopes, adminClient),
      ...await checkIdentityPreconditions(config, logger, scopes, adminClient),
    ];
  } finally {
    await admin?.close();
  }
}

/** Every mapped custom field key exists and is enabled in the tenant's field setup. */
async function checkCustomFields(config: Config, keys: readonly string[], scopes: readonly string[], adminClient: () => TenantAdminClient): Promise<PreflightItem[]> {
  if (!keys.length) return [];
  const c = config.cidaas;
  if (!scopes.includes(FIELD_READ)) {
    return [warn('custom fields', `cannot check that ${keys.join(', ')} exist in the tenant's field setup: the client lacks ${FIELD_READ}`,
      `grant client "${c.clientId}" the scope ${FIELD_READ}; a customFields key missing in cidaas is dropped silently`)];
  }
  const admin = adminClient();
  const items: PreflightItem[] = [];
  const declared = new Set((config.tenant?.fields ?? []).map((f) => f.key));
  for (const key of keys) {
    const field = await admin.read('field', key, 3);
    const fix = declared.has(key)
      ? 'run `cidaas-sync setup apply --config <this file>`: tenant.fields declares it'
      : `declare it under tenant.fields (e.g. \`- { key: ${key}, type: TEXT, labels: { en: "${key}" } }\`), then run \`cidaas-sync setup apply --config <this file>\``;
    if (field === null) items.push(fail(`custom field ${key}`, 'missing in the tenant\'s field setup: cidaas would drop this value from every user', fix));
    else if (field['enabled'] === false) items.push(fail(`custom field ${key}`, 'disabled in the tenant\'s field setup: cidaas would drop this value', fix));
    else items.push(pass(`custom field ${key}`, 'set up and enabled'));
  }
  return items;
}

/** For `run` at start: stops with the `setup` fix when a mapped custom field is missing or disabled, or a mapped group is missing. */
export async function assertTenantPreconditions(config: Config, logger: Logger): Promise<void> {
  const failed = (await checkTenantPreconditions(config, logger)).filter((i) => !i.ok && i.severity !== 'warning');
  if (failed.length) {
    throw new SyncError('SETUP_PRECONDITION', `the tenant is not ready for these users: ${failed.map((i) => `${i.name} ${i.detail}`).join('; ')}`, { hint: failed[0]!.fix });
  }
}
