/**
 * What `cidaas-sync verify` found: the JSON report it writes and the summary it prints are
 * both built from this. Lists are capped at {@link VerifyReport.listCap} entries so that a
 * report on a tenant where everything differs stays readable; the counts are always exact.
 * Nothing here is a secret: keys, subs, group names and the reasons the mapping and cidaas gave.
 */

/**
 * A field group that differs between what the push would send and what cidaas holds.
 *
 * - `profile`, `email`: the digests of the mapped fields differ from the digests of the same
 *   fields as cidaas returns them.
 * - `password`: the legacy user has a password and cidaas has none (or the reverse), or the
 *   password fingerprint the sidecar stored at the last push is not the fingerprint of the
 *   legacy hash now: the legacy password changed and was not pushed yet.
 * - `mfa`: likewise for the TOTP setup (`mfa.totp.enrolled`, `mfa_enabled`, the stored
 *   fingerprint).
 * - `groups`: the group memberships (`users.groups`) differ: a group on one side only, or other
 *   roles in it where the mapping gives roles.
 * - `identities`: the linked social logins (`users.identities`) differ.
 * - `modified-in-cidaas`: cidaas's `updatedTime` is later than the last push (plus a clock
 *   skew allowance). cidaas never returns a password hash or TOTP secret, so this is how a
 *   password or TOTP altered in cidaas after the push is found.
 */
export type VerifyGroup = 'profile' | 'email' | 'password' | 'mfa' | 'groups' | 'identities' | 'modified-in-cidaas';

/** All {@link VerifyGroup}s, in the order reports list them. */
export const VERIFY_GROUPS: readonly VerifyGroup[] = ['profile', 'email', 'password', 'mfa', 'groups', 'identities', 'modified-in-cidaas'];

/** A legacy user whose cidaas user differs, and in which field groups. */
export interface DifferingUser {
  /** The legacy user key. */
  key: string;
  /** The cidaas sub. */
  sub: string;
  /** The groups that differ, in {@link VERIFY_GROUPS} order. */
  groups: VerifyGroup[];
}

/** A legacy user the mapping cannot turn into a cidaas user. */
export interface UnmappableUser {
  key: string;
  /** Why (the mapping's reason; never a secret). */
  reason: string;
}

/** A user in the dead-letter list of the state store. */
export interface DeadLetterEntry {
  key: string;
  /** cidaas's message or the mapping error. */
  reason: string;
  /** Failed attempts since the user last succeeded. */
  attempts: number;
}

/** Exact counts of each kind of finding (the lists in the report may be shorter). */
export interface VerifyCounts {
  missingInCidaas: number;
  deletedButPresent: number;
  differing: number;
  unmappable: number;
  deadLetters: number;
  /** Differing users per group (a user with two groups counts in both). */
  differingByGroup: Record<VerifyGroup, number>;
}

/** The result of one verify run. */
export interface VerifyReport {
  /** When the run started (ISO 8601). */
  at: string;
  /** The sample size asked for (`--sample N`), or null when every legacy user was checked. */
  sample: number | null;
  /** False when the run was stopped before the end (its lists then cover only what was checked). */
  complete: boolean;
  /** Legacy users (rows of the users table, soft-deleted ones included) seen while walking the keys. */
  legacyUsers: number;
  /** Legacy users read, mapped and compared with cidaas (all of them, or the sample). */
  checked: number;
  /** Of those, users the mapping module told to leave alone ('skip'): not compared. */
  skipped: number;
  /** Users the state store knows whose legacy row is gone, checked to be absent from cidaas. */
  orphansChecked: number;
  /** How many users cidaas holds in all (search total), for orientation; null when unknown. Not compared. */
  cidaasUsers: number | null;
  /** True only when every list below is empty: a user in the dead-letter list makes it false. */
  equal: boolean;
  counts: VerifyCounts;
  /** The most entries each list below holds. */
  listCap: number;
  /** Keys of live legacy users that cidaas does not have. */
  missingInCidaas: string[];
  /** Keys of legacy users deleted (soft or hard) whose cidaas user is still there. */
  deletedButPresent: string[];
  differing: DifferingUser[];
  /** Legacy users that cannot be mapped. */
  unmappable: UnmappableUser[];
  deadLetters: DeadLetterEntry[];
  /**
   * Users who had a TOTP authenticator that cidaas did not get (`cidaas.compat.totpImport:
   * flag-only`): they must enrol it again at their next login. Not a difference.
   */
  totpReenrol: { count: number; keys: string[] };
  /**
   * Users whose TOTP seed was removed in legacy but that cidaas still holds (the tenant ignored
   * the removal, or `cidaas.compat.totpRemoval: unsupported`): the old authenticator still works
   * there until an admin resets the user's MFA in cidaas. Each is also in `differing` (mfa).
   */
  totpStranded: { count: number; keys: string[] };
  /** How cidaas was read: one search per page of subs, or a GET per user. */
  cidaasRead: 'search' | 'bulkread' | 'get';
  /** True when every finding was checked a second time (fresh reads, GET by sub) and only confirmed ones kept. */
  rechecked: boolean;
  durationMs: number;
  /** `checked` per second of the whole run. */
  usersPerSecond: number;
}
