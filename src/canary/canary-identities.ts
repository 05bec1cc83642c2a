import { randomBytes } from 'node:crypto';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { identityList, type CidaasUserIdentity } from '../cidaas/user-identities.js';
import { nameableProviders, PROVIDERS_READ, readProvider } from '../preflight/identity-preconditions.js';
import { TenantAdminClient } from '../tenant/tenant-admin-client.js';
import type { CanaryFinding } from './canary-finding.js';
import type { CanaryLedger } from './canary-ledger.js';
import type { CanaryDeps } from './run-canary.js';

/**
 * What the tenant does with a social login at a provider it lacks (not documented; no setting
 * depends on it, so the answer is reported, never refuted), asked when the mapping has
 * `users.identities`: a canary user linked at a provider name no tenant has is pushed and read
 * back. Whether cidaas fails the user or drops the link silently decides how much rests on
 * `check`'s provider lookup. Returns no finding when the mapping has no `users.identities`.
 */
export async function checkUnknownProvider(d: CanaryDeps, ledger: CanaryLedger, canaryUser: (purpose: string) => CidaasUser): Promise<CanaryFinding[]> {
  if (!d.config.users.identities) return [];
  const assumption = 'login provider the tenant lacks';
  const provider = `canary-missing-${randomBytes(4).toString('hex')}`;
  const user: CidaasUser = { ...canaryUser('unknown provider'), identities: [{ provider, providerUserId: 'canary' }] };
  await ledger.add([user.sub]);
  const outcome = (await d.client.bulkUpsert([user]))[0];
  if (!outcome || outcome.status === 'FAILED') {
    return [{ verdict: 'confirmed', assumption, detail: `cidaas fails the user (${outcome?.message ?? 'no outcome'}): a user linked at a provider missing from the tenant lands in the dead-letter list; \`check\` finds such providers first` }];
  }
  const kept = identityList((await d.client.getUser(user.sub))?.identities).some((i) => i.provider === provider);
  return [{ verdict: 'confirmed', assumption, detail: kept
    ? 'cidaas took the user and kept the link to a provider it lacks; ask cidaas support whether such a link can ever log in'
    : 'cidaas took the user and dropped the link SILENTLY: only `check` (which looks every mapped provider up) keeps social logins from being lost; run it after every provider change' }];
}

type Update = 'replace' | 'add';

/**
 * `cidaas.compat.identities`, asked when the mapping has `users.identities`: a canary user linked
 * twice at providers the mapping names and the tenant has (two providers when it has two, else
 * two ids at one) is pushed, read back, pushed again with one link, and read back: the other link
 * still there is `add`, gone is `replace`. The ids at the provider are made up (`canary-…`), so
 * they match no real account; the user goes on the ledger before the push. Returns no finding
 * when the mapping has no `users.identities`.
 */
export async function checkIdentityUpdate(d: CanaryDeps, ledger: CanaryLedger, canaryUser: (purpose: string) => CidaasUser): Promise<CanaryFinding[]> {
  if (!d.config.users.identities) return [];
  const configured = d.config.cidaas.compat.identities;
  const assumption = `cidaas.compat.identities (${configured})`;
  const ask = 'ask cidaas support whether a bulk upsert\'s identities replace the user\'s social links or only add to them';
  const providers = await enabledProviders(d);
  if (!Array.isArray(providers)) return [{ verdict: 'not testable', assumption, detail: `${providers.reason}; or ${ask}` }];
  const id = randomBytes(4).toString('hex');
  const links: [CidaasUserIdentity, CidaasUserIdentity] = [
    { provider: providers[0]!, providerUserId: `canary-${id}-1` },
    { provider: providers[1] ?? providers[0]!, providerUserId: `canary-${id}-2` },
  ];
  const user = canaryUser('identities replace or add');
  await ledger.add([user.sub]);
  const named = (l: CidaasUserIdentity): string => `${l.provider} ${l.providerUserId}`;
  const push = async (list: readonly CidaasUserIdentity[]): Promise<string | undefined> => {
    const o = (await d.client.bulkUpsert([{ ...user, identities: list }]))[0];
    return !o || o.status === 'FAILED' ? (o?.message ?? 'no outcome') : undefined;
  };
  const held = async (): Promise<Set<string>> => new Set(identityList((await d.client.getUser(user.sub))?.identities).map(named));

  const refused = await push(links);
  if (refused !== undefined) return [{ verdict: 'not testable', assumption, detail: `cidaas refused a canary user linked at ${named(links[0])} and ${named(links[1])} (${refused}); ${ask}` }];
  const first = await held();
  if (!links.every((l) => first.has(named(l)))) {
    return [{ verdict: 'not testable', assumption, detail: `cidaas took a canary user linked at ${named(links[0])} and ${named(links[1])} but read back shows ${first.size === 0 ? 'no link' : [...first].join(', ')}; ${ask}` }];
  }
  const again = await push([links[1]]);
  if (again !== undefined) return [{ verdict: 'not testable', assumption, detail: `cidaas refused the canary user pushed again with one link (${again}); ${ask}` }];
  const tenant: Update = (await held()).has(named(links[0])) ? 'add' : 'replace';
  const how = `the canary user linked at ${links[0].provider} and ${links[1].provider}, pushed again with the ${links[1].provider} link alone, ` +
    `${tenant === 'add' ? 'still has' : 'no longer has'} the other: the tenant ${tenant === 'add' ? 'only adds social links' : 'replaces the social links'}`;
  if (tenant === configured) return [{ verdict: 'confirmed', assumption, detail: tenant === 'add' ? `${how}; a login unlinked in legacy stays in cidaas: the sidecar warns and counts it, verify lists the user, and an administrator unlinks it` : how }];
  const consequence = tenant === 'add'
    ? 'with replace, a login unlinked in legacy would stay in cidaas UNNOTICED (add cannot remove it either, but warns, counts it and lets verify name the user)'
    : 'with add, every updated user costs a needless read';
  return [{ verdict: 'refuted', assumption, detail: `${how}; ${consequence}`, setting: { key: 'identities', value: tenant } }];
}

/** Up to two providers the mapping names that the tenant has and has not disabled, or why there is none. */
async function enabledProviders(d: CanaryDeps): Promise<string[] | { reason: string }> {
  const names = await nameableProviders(d.config, d.logger).catch((err: unknown) => ({ reason: `cannot read the legacy providers: ${(err as Error).message}` }));
  if (names === null) return { reason: 'the linked accounts name too many providers to look up: canary cannot pick one' };
  if (!Array.isArray(names)) return names;
  if (names.length === 0) return { reason: 'the mapping names no login provider yet (the linked accounts table is empty): run canary again once it has one' };
  const c = d.config.cidaas;
  const admin = new TenantAdminClient({ baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, logger: d.logger.child({ component: 'cidaas' }), allowEmulator: c.allowEmulator });
  const found: string[] = [];
  try {
    for (const name of names) {
      const p = await readProvider(admin, name);
      if (p !== null && p['enabled'] !== false) found.push(name);
      if (found.length === 2) break;
    }
  } catch (err) {
    return { reason: `cannot read the tenant's login providers (${(err as Error).message}): grant client "${c.clientId}" the scope ${PROVIDERS_READ}, then run canary again` };
  } finally {
    await admin.close().catch(() => undefined);
  }
  if (found.length > 0) return found;
  return { reason: `none of the login providers the mapping names (${names.slice(0, 5).join(', ')}) exists and is enabled in the tenant yet: run \`cidaas-sync setup apply --config <this file>\` first (tenant.socialProviders), then canary again` };
}
