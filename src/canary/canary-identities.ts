import { randomBytes } from 'node:crypto';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { identityList } from '../cidaas/user-identities.js';
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
