import { randomBytes } from 'node:crypto';
import type { CidaasCompat } from '../cidaas/cidaas-compat.js';
import type { CidaasMfa } from '../cidaas/cidaas-mfa.js';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { base32Encode } from '../mfa/base32.js';
import { Secret } from '../secret.js';
import type { CanaryFinding } from './canary-finding.js';
import type { CanaryLedger } from './canary-ledger.js';
import type { CanaryDeps } from './run-canary.js';

type Removal = NonNullable<CidaasCompat['totpRemoval']>;
type Shape = Exclude<Removal, 'unsupported'>;

/** The removal shapes, in the order preferred when both work (`empty` is the default). */
const SHAPES: Readonly<Record<Shape, CidaasMfa>> = { empty: {}, null: { totp: null } };
const COST = 'a TOTP removed in legacy (2FA turned off, authenticator reset, device deleted) would keep working in cidaas';

/**
 * The question `cidaas.compat.totpRemoval`: how this tenant is asked to remove a TOTP seed it
 * holds. One canary user per shape is pushed with a random seed (read back: `mfa.totp.enrolled`
 * must be true), then pushed again with MFA off and that shape; a read-back with `enrolled` false
 * says the shape removes the seed. Asked only with `totpImport: totp` (with `flag-only` no seed is
 * ever sent). The users go on the ledger before the first push and are removed with every other
 * canary user. Returns no finding with `flag-only`.
 */
export async function checkTotpRemoval(d: CanaryDeps, ledger: CanaryLedger, canaryUser: (purpose: string) => CidaasUser): Promise<CanaryFinding[]> {
  const compat = d.config.cidaas.compat;
  if (compat.totpImport !== 'totp') return [];
  const configured: Removal = compat.totpRemoval ?? 'empty';
  const assumption = `cidaas.compat.totpRemoval (${configured})`;
  const probes = (Object.keys(SHAPES) as Shape[]).map((shape) => {
    const user = canaryUser(`TOTP removal as ${shape}`);
    return { shape, user: { ...user, mfa_enabled: true, mfa: { totp: { secret: new Secret(base32Encode(randomBytes(20))), algorithm: 'SHA1', digits: 6, period: 30 } } } satisfies CidaasUser };
  });
  await ledger.add(probes.map((p) => p.user.sub));
  const enrolled = async (sub: string): Promise<boolean> => (await d.client.getUser(sub))?.mfa?.totp?.enrolled === true;

  const first = new Map((await d.client.bulkUpsert(probes.map((p) => p.user))).map((o) => [o.sub, o]));
  const seeded = [];
  for (const p of probes) if (first.get(p.user.sub)?.status !== 'FAILED' && await enrolled(p.user.sub)) seeded.push(p);
  if (seeded.length < probes.length) {
    return [{ verdict: 'not testable', assumption, detail: 'the tenant did not keep the canary users\' TOTP seed, so there was none to remove (see cidaas.compat.totpImport)' }];
  }
  const second = new Map((await d.client.bulkUpsert(probes.map((p) => ({ sub: p.user.sub, mfa_enabled: false, mfa: SHAPES[p.shape] })))).map((o) => [o.sub, o]));
  const said = new Map<Shape, string | true>();
  for (const p of probes) {
    const o = second.get(p.user.sub);
    if (!o || o.status === 'FAILED') said.set(p.shape, `refused (${o?.message ?? 'no outcome'})`);
    else said.set(p.shape, (await enrolled(p.user.sub)) ? 'left the seed in place' : true);
  }
  return [removalVerdict(assumption, configured, said)];
}

function removalVerdict(assumption: string, configured: Removal, said: ReadonlyMap<Shape, string | true>): CanaryFinding {
  const wire = (s: Shape): string => `mfa: ${JSON.stringify(SHAPES[s])}`;
  const detail = (Object.keys(SHAPES) as Shape[]).map((s) => `${wire(s)} ${said.get(s) === true ? 'removed the seed' : String(said.get(s))}`).join('; ');
  const working = (Object.keys(SHAPES) as Shape[]).filter((s) => said.get(s) === true);
  const needed: Removal = working[0] ?? 'unsupported';
  if (configured === needed || (configured !== 'unsupported' && working.includes(configured))) {
    const note = needed === 'unsupported'
      ? `; ${COST}: status, verify and the go-live report list those users, and an admin must reset their MFA in cidaas`
      : '';
    return { verdict: 'confirmed', assumption, detail: detail + note };
  }
  const consequence = needed === 'unsupported'
    ? `no removal shape works on this tenant: with ${configured}, ${COST}, and nothing would say so until verify; with unsupported each one is warned about, counted and listed for an admin to reset the user's MFA in cidaas`
    : configured === 'unsupported'
      ? `with unsupported, every TOTP removal is left for an admin although ${wire(needed)} does it`
      : `with ${configured}, ${COST}`;
  return { verdict: 'refuted', assumption, detail: `${detail}; ${consequence}`, setting: { key: 'totpRemoval', value: needed } };
}
