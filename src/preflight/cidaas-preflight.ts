import type { Config } from '../../config/config-schema.js';
import { CidaasClient } from '../cidaas/cidaas-client.js';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { fail, pass, warn, type PreflightItem } from './preflight-item.js';

/** The scopes cidaas-sync uses (docs/cidaas-api.md). */
export const CidaasScopes = {
  bulkUserCreate: 'cidaas:bulk_user_create',
  usersDelete: 'cidaas:users_delete',
  usersRead: 'cidaas:users_read',
} as const;

/** Options of {@link checkCidaas}. */
export interface CidaasPreflightOptions {
  /** Per HTTP exchange (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * The cidaas prerequisites of `cidaas-sync check`: the client gets a token, and the token carries
 * `cidaas:bulk_user_create`, `cidaas:users_delete` when `cidaas.onDelete` is `purge`, and (as a
 * warning: only `verify` needs it) `cidaas:users_read`; with `users.groups` and
 * `cidaas.compat.groups: add` or `emptyGroups: ignore`, `cidaas:users_read` and
 * `cidaas:groups_write`, and with `users.identities` and `identities: add`, `cidaas:users_read`
 * (the push needs them).
 */
export async function checkCidaas(config: Config, logger: Logger, o: CidaasPreflightOptions = {}): Promise<PreflightItem[]> {
  const c = config.cidaas;
  const client = new CidaasClient({
    baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, allowEmulator: c.allowEmulator, logger: logger.child({ component: 'cidaas' }),
    connections: 1, requestTimeoutMs: o.timeoutMs ?? 10_000, retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1000 },
  });
  let scopes: string[];
  try {
    scopes = await client.tokenScopes();
  } catch (err) {
    const e = err instanceof SyncError ? err : null;
    // The client's hints for credentials and scopes are the fix; the others speak of dirty users, not of a check.
    const hint = e && (e.code === 'CIDAAS_AUTH_FAILED' || e.code === 'CIDAAS_SCOPE_MISSING') ? e.hint : undefined;
    return [fail('access token', `${e ? `${e.code}: ` : ''}${(err as Error).message}`,
      hint ?? `check cidaas.baseUrl (${c.baseUrl}): that it is the tenant's URL, reachable from this host, and the tenant is up`)];
  } finally {
    await client.close();
  }
  const ask = (scope: string): string => `ask cidaas support (support@cidaas.com) to grant client "${c.clientId}" the scope ${scope}`;
  const has = new Set(scopes);
  const items: PreflightItem[] = [pass('access token', `client "${c.clientId}" got a token from ${c.baseUrl}`)];
  const scopeItem = (scope: string, why: string): PreflightItem => (has.has(scope) ? pass(`scope ${scope}`, 'granted') : fail(`scope ${scope}`, `missing: ${why}`, ask(scope)));
  items.push(scopeItem(CidaasScopes.bulkUserCreate, 'every push goes through the bulk user API'));
  if (c.onDelete === 'purge') {
    const s = CidaasScopes.usersDelete;
    items.push(has.has(s) ? pass(`scope ${s}`, 'granted') : fail(`scope ${s}`, 'missing: cidaas.onDelete is purge, which deletes users in cidaas',
      `${ask(s)}, or set cidaas.onDelete: lock (locks deleted users through the bulk API)`));
  }
  const read = CidaasScopes.usersRead;
  // A tenant that keeps what an upsert list leaves out: updated users are read back (cidaas-compat.ts, afterUpdate).
  const groupsWhy = c.compat.groups === 'add' ? 'cidaas.compat.groups is add' : c.compat.emptyGroups === 'ignore' ? 'cidaas.compat.emptyGroups is ignore' : undefined;
  const readWhy = [
    ...(groupsWhy && config.users.groups ? [`${groupsWhy}: updated users are read back to find memberships removed in legacy`] : []),
    ...(c.compat.identities === 'add' && config.users.identities ? ['cidaas.compat.identities is add: updated users are read back to find social logins removed in legacy'] : []),
  ];
  if (readWhy.length > 0) {
    items.push(scopeItem(read, readWhy.join('; ')));
    if (groupsWhy && config.users.groups) {
      items.push(scopeItem('cidaas:groups_write', `${groupsWhy}: a membership removed in legacy is removed with DELETE /groups-srv/usergroups/{groupId}/users/{sub}`));
    }
    return items;
  }
  items.push(has.has(read) ? pass(`scope ${read}`, 'granted') : warn(`scope ${read}`, 'missing: `cidaas-sync verify` needs it at go-live (syncing works without it)', ask(read)));
  return items;
}
