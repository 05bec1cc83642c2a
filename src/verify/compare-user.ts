import type { CidaasUser, CidaasUserRecord } from '../cidaas/cidaas-user.js';
import { membershipDifference } from '../cidaas/user-groups.js';
import { sameIdentities } from '../cidaas/user-identities.js';
import { groupComparer, unkeyedFingerprints } from '../digest/fingerprints.js';
import type { FieldFingerprints, UserState } from '../state/state-store.js';
import type { EntityGroups } from '../dispatch/final-entity.js';
import { REVOKED_PASSWORD_FP, type OnRevoked } from '../dispatch/push-plan.js';
import type { OwnedFields } from './owned-fields.js';
import type { VerifyGroup } from './verify-report.js';

/** How {@link compareUser} judges. */
export interface CompareOptions {
  /** What the configuration maps (see {@link OwnedFields}). */
  readonly owned: OwnedFields;
  /**
   * How much later than the recorded push cidaas's `updatedTime` may be without counting as
   * "modified in cidaas": the push time is taken before the bulk call, and clocks differ.
   */
  readonly clockSkewMs: number;
  /** `password.onRevoked`, as the push uses it. Default scramble. */
  readonly onRevoked?: OnRevoked;
}

/** Not profile or email fields: compared on their own, or the key. */
const NOT_PLAIN = new Set(['sub', 'password_hash_info', 'mfa', 'mfa_enabled', 'customFields', 'groups', 'identities']);
/** Fields cidaas fills itself when a push leaves them out: only compared when the push sends them. */
const CIDAAS_FILLS = new Set(['createdTime', 'lastLoggedInTime', 'userStatus', 'provider']);
const TIME_FIELDS = new Set(['createdTime', 'lastLoggedInTime']);
const FLAG_FIELDS = new Set(['email_verified', 'mobile_number_verified']);

/**
 * A value as both sides are compared: absent, null and "" are the same (the push sends "" to
 * clear a name); a false verified flag is the same as none; emails compare without case (cidaas
 * treats them so); times compare as instants, whatever the ISO form cidaas answers in.
 */
function normalized(field: string, v: unknown): unknown {
  if (v === undefined || v === null || v === '') return undefined;
  if (FLAG_FIELDS.has(field)) return v === true ? true : undefined;
  if (typeof v === 'string') {
    if (field === 'email') return v.toLowerCase();
    if (TIME_FIELDS.has(field)) {
      const t = Date.parse(v);
      return Number.isNaN(t) ? v : new Date(t).toISOString();
    }
  }
  return v;
}

/** The comparable part of a user: the given plain fields and customFields keys, normalised. */
function comparable(user: Readonly<Record<string, unknown>>, sub: string, fields: ReadonlySet<string>, customKeys: ReadonlySet<string>): CidaasUser {
  const out: Record<string, unknown> = { sub };
  for (const f of fields) {
    const v = normalized(f, user[f]);
    if (v !== undefined) out[f] = v;
  }
  const custom = user['customFields'];
  if (customKeys.size > 0 && typeof custom === 'object' && custom !== null) {
    const picked: Record<string, unknown> = {};
    for (const k of customKeys) {
      const v = normalized(k, (custom as Record<string, unknown>)[k]);
      if (v !== undefined) picked[k] = v;
    }
    if (Object.keys(picked).length > 0) out['customFields'] = picked;
  }
  return out as unknown as CidaasUser;
}

/**
 * Compares what the push would send for one legacy user (`expected`, from the same mapping
 * as the push) with the user cidaas returns (`actual`) and the state the sidecar stored at the
 * last push (`state`). Returns the groups that differ, empty when they match.
 *
 * Profile and email are compared by digest ({@link unkeyedFingerprints}, nothing is stored) over the fields the push
 * sends plus the owned fields it leaves out; cidaas's own additions (createdTime, updatedTime,
 * has_password, a default userStatus, fields nobody maps) are not part of it. Secrets are never
 * compared in plain: cidaas does not return them. A password or TOTP setup matches when its
 * presence matches (`has_password`, `mfa.totp.enrolled`) AND the stored fingerprint is the one
 * of the legacy value now; a change made in cidaas shows as `modified-in-cidaas`.
 *
 * `fingerprints` are the push plan's fingerprints of `expected` (keyed); a stored fingerprint
 * from before keys is compared in its own scheme (see `groupComparer`).
 */
export function compareUser(
  expected: CidaasUser,
  actual: CidaasUserRecord,
  state: UserState | undefined,
  o: CompareOptions,
  fingerprints: FieldFingerprints,
  entityGroups?: EntityGroups,
): VerifyGroup[] {
  const groups: VerifyGroup[] = [];
  const exp = expected as unknown as Readonly<Record<string, unknown>>;

  const fields = new Set<string>();
  for (const [k, v] of Object.entries(exp)) if (!NOT_PLAIN.has(k) && v !== undefined) fields.add(k);
  for (const f of o.owned.fields) if (!CIDAAS_FILLS.has(f) && !NOT_PLAIN.has(f)) fields.add(f);
  const customKeys = new Set<string>([...Object.keys(expected.customFields ?? {}), ...o.owned.customFields]);
  const want = unkeyedFingerprints(comparable(exp, expected.sub, fields, customKeys));
  const have = unkeyedFingerprints(comparable(actual, expected.sub, fields, customKeys));
  if (want.profile !== have.profile) groups.push('profile');
  if (want.email !== have.email) groups.push('email');

  const expectsPassword = expected.password_hash_info !== undefined;
  const password = entityGroups?.password ?? (expectsPassword ? 'set' : o.owned.password ? 'cleared' : 'not-owned');
  const recorded = state?.fingerprints.password;
  const same = groupComparer(fingerprints, expected);
  if (password === 'set') {
    if (actual.has_password !== true || !same(recorded, 'password')) groups.push('password');
  } else if (password === 'cleared') {
    // Revoked: cidaas holds a hash nobody can match (scramble), a locked user, or (keep) the old
    // hash by the operator's choice; the state says the revocation was pushed. Otherwise none at all.
    if (fingerprints.password === REVOKED_PASSWORD_FP) {
      if (recorded !== REVOKED_PASSWORD_FP) groups.push('password');
    } else if (actual.has_password === true) groups.push('password');
  }

  const mfaMapped = expected.mfa_enabled !== undefined || expected.mfa !== undefined;
  if (mfaMapped || o.owned.mfa) {
    const t = expected.mfa?.totp ?? undefined;
    const a = actual.mfa?.totp;
    let differs = (t !== undefined) !== (a?.enrolled === true);
    if (!differs && expected.mfa_enabled !== undefined) differs = expected.mfa_enabled !== (actual.mfa_enabled === true);
    if (!differs && t && a) {
      differs = (a.algorithm !== undefined && a.algorithm !== (t.algorithm ?? 'SHA1'))
        || (a.digits !== undefined && a.digits !== (t.digits ?? 6))
        || (a.period !== undefined && a.period !== (t.period ?? 30));
    }
    if (!differs && fingerprints.mfa !== undefined && !same(state?.fingerprints.mfa, 'mfa')) differs = true;
    if (differs) groups.push('mfa');
  }

  // Memberships through the push's own normal form (user-groups.ts); roles only where the mapping gives some.
  if (expected.groups !== undefined || o.owned.groups) {
    if (membershipDifference(expected.groups ?? [], actual['groups'], true).length > 0) groups.push('groups');
  }
  if ((expected.identities !== undefined || o.owned.identities) && !sameIdentities(expected.identities ?? [], actual['identities'])) groups.push('identities');

  if (state && !state.deleted && typeof actual.updatedTime === 'string') {
    const updated = Date.parse(actual.updatedTime);
    if (updated > state.lastPushAt.getTime() + o.clockSkewMs) groups.push('modified-in-cidaas');
  }
  return groups;
}
