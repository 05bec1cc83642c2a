import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { changedGroups, fingerprintUser, type FieldGroup } from '../digest/fingerprints.js';
import type { FingerprintKey } from '../digest/fingerprint-key.js';
import { Secret } from '../secret.js';
import type { FieldFingerprints, UserState } from '../state/state-store.js';
import type { EntityGroups, GroupVerdict } from './final-entity.js';

/** `password.onRevoked`: what happens in cidaas to a password that was pushed and is no longer usable in legacy. */
export type OnRevoked = 'scramble' | 'lock' | 'keep';

/** The password fingerprint of a user pushed without a password who never had one in cidaas (a digest, as the store wants). */
export const NO_PASSWORD_FP = createHash('sha256').update('cidaas-sync: no password').digest('hex');
/** The password fingerprint of a user whose pushed password was revoked in cidaas. */
export const REVOKED_PASSWORD_FP = createHash('sha256').update('cidaas-sync: password revoked').digest('hex');

/** What to do in cidaas for one mapped user, given what was pushed before. */
export interface PushPlan {
  /** The user as cidaas should hold it (what verify compares with). */
  readonly expected: CidaasUser;
  readonly groups: EntityGroups;
  /** The fingerprints to store once pushed. */
  readonly fingerprints: FieldFingerprints;
  /** The groups that differ from the last push (all the user has, for a first push). */
  readonly changed: readonly FieldGroup[];
  /** The password pushed earlier must stop working now, by `onRevoked`. */
  readonly revoke: OnRevoked | null;
}

/** Options of {@link planPush}. */
export interface PlanOptions {
  readonly onRevoked: OnRevoked;
  /** The state store's fingerprint key. */
  readonly fingerprintKey: FingerprintKey;
}

function realPassword(fp: string | undefined): boolean {
  return fp !== undefined && fp !== NO_PASSWORD_FP && fp !== REVOKED_PASSWORD_FP;
}

/**
 * The per-user push plan, pure: the mapped user (see finalEntity), the state of its last push
 * (undefined when never pushed, or when its key was reused by a new user) and the options give
 * what cidaas must hold, the fingerprints to store, what changed, and whether a password must be
 * revoked. The dispatcher pushes `expected` (leaving out unchanged password and MFA) and verify
 * compares `expected`: both through this one function, so they can never disagree.
 *
 * A group nobody owns now but that was pushed before (a mapping module that stopped returning
 * `mfa` or `password_hash_info`) is cleared: absence means "none", never "keep what cidaas has".
 */
export function planPush(user: CidaasUser, groups: EntityGroups, state: UserState | undefined, o: PlanOptions): PushPlan {
  const previous = state && !state.deleted ? state.fingerprints : undefined;
  let password: GroupVerdict = groups.password;
  let mfa: GroupVerdict = groups.mfa;
  if (password === 'not-owned' && previous?.password !== undefined) password = 'cleared';
  // The password only when it is set: a copy without it rather than a `delete` (which turns the
  // object into a slow dictionary for everything after: fingerprints, the push, its JSON).
  const expected: CidaasUser = password === 'set' || !('password_hash_info' in user) ? { ...user } : withoutPassword(user);
  if (mfa === 'not-owned' && previous?.mfa !== undefined) {
    mfa = 'cleared';
    expected.mfa = {};
    expected.mfa_enabled = false;
  }

  const fingerprints = fingerprintUser(expected, o.fingerprintKey);
  let revoke: OnRevoked | null = null;
  if (password === 'cleared') {
    const wasRevoked = previous?.password === REVOKED_PASSWORD_FP;
    // Only a password the state says was pushed is revoked: a user who never had one stays
    // without one in cidaas (a forced push after a crash included; see the README's known limits).
    const mustRevoke = realPassword(previous?.password);
    fingerprints.password = wasRevoked || mustRevoke ? REVOKED_PASSWORD_FP : NO_PASSWORD_FP;
    if (mustRevoke) revoke = o.onRevoked;
    // A lock holds as long as the password stays revoked, whatever the mapping says about userStatus.
    if (o.onRevoked === 'lock' && (mustRevoke || wasRevoked)) expected.userStatus = 'LOCKED';
  } else if (password === 'set' && o.onRevoked === 'lock' && previous?.password === REVOKED_PASSWORD_FP) {
    // The password is usable again: so is the user, unless the mapping says otherwise.
    expected.userStatus ??= 'VERIFIED';
  }
  if (expected.userStatus !== user.userStatus) {
    // The profile fingerprint follows what cidaas holds.
    fingerprints.profile = fingerprintUser(expected, o.fingerprintKey).profile;
  }
  const changed = changedGroups(previous, fingerprints, expected);
  return { expected, groups: { ...groups, password, mfa }, fingerprints, changed, revoke };
}

/** A copy of `user` without `password_hash_info`. */
function withoutPassword(user: CidaasUser): CidaasUser {
  const out = { sub: user.sub } as CidaasUser;
  const from = user as unknown as Record<string, unknown>;
  const to = out as unknown as Record<string, unknown>;
  for (const k in from) if (k !== 'password_hash_info' && k !== 'sub' && Object.hasOwn(from, k)) to[k] = from[k];
  return out;
}

/**
 * The user to send: `plan.expected`, without a password or MFA that did not change (cidaas keeps
 * absent fields; re-sending an unchanged password needs migrationMode), and with the revocation.
 */
export function userToSend(plan: PushPlan, known: boolean): CidaasUser {
  const user: CidaasUser = { ...plan.expected };
  if (known) {
    if (!plan.changed.includes('password')) delete user.password_hash_info;
    if (!plan.changed.includes('mfa')) { delete user.mfa; delete user.mfa_enabled; }
  }
  if (plan.revoke === 'scramble') user.password_hash_info = scrambledPassword();
  return user;
}

/**
 * A password hash nobody can match: PBKDF2-SHA256 of 32 random bytes that are never stored, with
 * a random salt. Sent over a revoked password, it makes the old password fail like any wrong one,
 * while the user can still sign in another way (social login, password reset).
 */
export function scrambledPassword(): NonNullable<CidaasUser['password_hash_info']> {
  const salt = randomBytes(16);
  const key = pbkdf2Sync(randomBytes(32), salt, 10_000, 32, 'sha256');
  return { algorithmTypeId: 'PBKDF2_SHA256', passwordHash: new Secret(key.toString('base64')), hData: { salt: salt.toString('base64'), iterations: '10000' } };
}
