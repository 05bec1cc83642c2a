import { hash } from 'node:crypto';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import type { FingerprintKey } from './fingerprint-key.js';
import type { FieldFingerprints } from '../state/state-store.js';
import { canonicalJson } from './canonical-json.js';

/** The field groups a push is split into for change detection and domain events. */
export type FieldGroup = keyof FieldFingerprints;

const GROUPS: readonly FieldGroup[] = ['profile', 'email', 'password', 'mfa'];
const EMAIL_FIELDS = new Set(['email', 'email_verified']);
const SKIPPED = new Set(['sub', 'password_hash_info', 'mfa', 'mfa_enabled']);
/** What the fingerprints of stores written before keys look like: unkeyed SHA-256, lower-case hex. */
const UNKEYED = /^[0-9a-f]{64}$/;

function stable(value: unknown): string {
  return canonicalJson(value, 'null');
}

/** The canonical text of each field group the user carries: what a fingerprint digests. */
function groupTexts(user: CidaasUser): Partial<Record<FieldGroup, string>> {
  const profile: Record<string, unknown> = {};
  const email: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user)) {
    if (SKIPPED.has(k) || v === undefined) continue;
    (EMAIL_FIELDS.has(k) ? email : profile)[k] = v;
  }
  const texts: Partial<Record<FieldGroup, string>> = { profile: stable(profile) };
  if (Object.keys(email).length) texts.email = stable(email);
  const pw = user.password_hash_info;
  if (pw) texts.password = stable({ a: pw.algorithmTypeId, h: pw.passwordHash.reveal(), d: pw.hData ?? null });
  if (user.mfa_enabled !== undefined || user.mfa) {
    const t = user.mfa?.totp;
    texts.mfa = stable({ on: user.mfa_enabled ?? null, s: t ? t.secret.reveal() : null, a: t?.algorithm ?? null, d: t?.digits ?? null, p: t?.period ?? null });
  }
  return texts;
}

function digestAll(user: CidaasUser, digest: (text: string) => string): FieldFingerprints {
  const fp: FieldFingerprints = {};
  const texts = groupTexts(user);
  for (const g of GROUPS) {
    const text = texts[g];
    if (text !== undefined) fp[g] = digest(text);
  }
  return fp;
}

/**
 * One fingerprint per field group of the user as it is pushed: profile, email, password, MFA.
 * HMAC-SHA-256 under the state store's key (base64url, 43 characters), never values: the state
 * store holds these, and they cover the email address, the password hash and the TOTP secret; a
 * copy of the store's user rows cannot confirm a guessed value without the key. A group the user
 * does not carry has no fingerprint.
 */
export function fingerprintUser(user: CidaasUser, key: FingerprintKey): FieldFingerprints {
  return digestAll(user, (text) => key.mac(text));
}

/**
 * The fingerprints as cidaas-sync computed them before they were keyed (unkeyed SHA-256, hex):
 * what the rows of a store written by an older version hold until the user is pushed again.
 * Also good for comparing two users in memory (nothing stored).
 */
export function unkeyedFingerprints(user: CidaasUser): FieldFingerprints {
  return digestAll(user, (text) => hash('sha256', text, 'hex'));
}

/** True when a stored fingerprint was written by the unkeyed scheme (a store from before keyed fingerprints). */
export function isUnkeyedFingerprint(fp: string): boolean {
  return UNKEYED.test(fp);
}

/**
 * A group comparer for one user: does the fingerprint stored at the last push (`previous`) still
 * describe the group now (`next`, keyed)? A stored fingerprint is compared in the scheme it was
 * written with: an unkeyed one from an older store against the unkeyed digest of `user` (computed
 * only when needed), so an upgrade neither re-pushes every user nor hides a change. Sentinels
 * that are not digests of the user (no password, revoked) compare as they are.
 */
export function groupComparer(next: FieldFingerprints, user: CidaasUser): (previous: string | undefined, group: FieldGroup) => boolean {
  let unkeyed: FieldFingerprints | undefined;
  return (previous, group) => {
    const now = next[group];
    if (previous === now) return true;
    if (previous === undefined || now === undefined || !isUnkeyedFingerprint(previous)) return false;
    unkeyed ??= unkeyedFingerprints(user);
    return previous === unkeyed[group];
  };
}

/**
 * The groups whose fingerprint differs between what was pushed last and what would be pushed now
 * (`next`, the fingerprints of `user`); see {@link groupComparer} for stores from before keys.
 */
export function changedGroups(previous: FieldFingerprints | undefined, next: FieldFingerprints, user: CidaasUser): FieldGroup[] {
  if (!previous) return GROUPS.filter((g) => next[g] !== undefined);
  const same = groupComparer(next, user);
  return GROUPS.filter((g) => !same(previous[g], g));
}
