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
/**
 * Group texts that hold no value of the user and that most users share (MFA off or unknown):
 * their fingerprint is the same for all of them, so it is computed once per key.
 */
const SHARED_TEXTS = new Set([
  '{"a":null,"d":null,"on":false,"p":null,"s":null}',
  '{"a":null,"d":null,"on":null,"p":null,"s":null}',
]);
const sharedMacs = new WeakMap<FingerprintKey, Map<string, string>>();
/** What the fingerprints of stores written before keys look like: unkeyed SHA-256, lower-case hex. */
const UNKEYED = /^[0-9a-f]{64}$/;

function stable(value: unknown): string {
  return canonicalJson(value, 'null');
}

/**
 * The canonical text of each field group the user carries: what a fingerprint digests. Each text
 * is the canonical JSON (canonical-json.ts) of the group's fields as an object, written here
 * without building the objects: this runs for every user of a backfill, and the texts must stay
 * exactly what the stored fingerprints digested (fingerprints.test.ts compares them).
 */
function groupTexts(user: CidaasUser): Partial<Record<FieldGroup, string>> {
  const fields = user as unknown as Record<string, unknown>;
  let profile = '';
  let email = '';
  for (const k of sortedKeys(fields)) {
    const v = fields[k];
    if (v === undefined || SKIPPED.has(k)) continue;
    const entry = keyPrefix(k) + (typeof v === 'string' ? JSON.stringify(v) : stable(v));
    if (EMAIL_FIELDS.has(k)) email += (email === '' ? '' : ',') + entry;
    else profile += (profile === '' ? '' : ',') + entry;
  }
  const texts: Partial<Record<FieldGroup, string>> = { profile: '{' + profile + '}' };
  if (email !== '') texts.email = '{' + email + '}';
  const pw = user.password_hash_info;
  // Keys in sorted order, as canonicalJson writes { a, h, d } and { on, s, a, d, p }.
  if (pw) texts.password = `{"a":${stable(pw.algorithmTypeId)},"d":${stable(pw.hData ?? null)},"h":${stable(pw.passwordHash.reveal())}}`;
  if (user.mfa_enabled !== undefined || user.mfa) {
    const t = user.mfa?.totp;
    texts.mfa = `{"a":${stable(t?.algorithm ?? null)},"d":${stable(t?.digits ?? null)},"on":${stable(user.mfa_enabled ?? null)},`
      + `"p":${stable(t?.period ?? null)},"s":${stable(t ? t.secret.reveal() : null)}}`;
  }
  return texts;
}

/**
 * The sorted key lists of the last few key lists seen (users of one mapping share a few shapes:
 * the same fields, some left out when empty), so that a user's keys are compared with them
 * instead of being listed and sorted: per user of a backfill, that was garbage and CPU.
 */
const recentShapes: { keys: string[]; sorted: string[] }[] = [];
const RECENT_SHAPES = 8;

/** The own enumerable keys of `fields`, sorted as `Array.prototype.sort` sorts strings. */
function sortedKeys(fields: Record<string, unknown>): readonly string[] {
  for (const shape of recentShapes) {
    const keys = shape.keys;
    let i = 0;
    let same = true;
    for (const k in fields) {
      if (keys[i] !== k || !Object.hasOwn(fields, k)) { same = false; break; }
      i++;
    }
    if (same && i === keys.length) return shape.sorted;
  }
  const keys = Object.keys(fields);
  if (recentShapes.length >= RECENT_SHAPES) recentShapes.pop();
  recentShapes.unshift({ keys, sorted: [...keys].sort() });
  return recentShapes[0]!.sorted;
}

/** `"key":` as canonical JSON writes it, kept for the field names of users (a bounded few). */
const keyPrefixes = new Map<string, string>();
const MAX_KEY_PREFIXES = 256;

function keyPrefix(k: string): string {
  let p = keyPrefixes.get(k);
  if (p === undefined) {
    p = JSON.stringify(k) + ':';
    if (keyPrefixes.size < MAX_KEY_PREFIXES) keyPrefixes.set(k, p);
  }
  return p;
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
  return digestAll(user, (text) => (SHARED_TEXTS.has(text) ? sharedMac(key, text) : key.mac(text)));
}

function sharedMac(key: FingerprintKey, text: string): string {
  let macs = sharedMacs.get(key);
  if (macs === undefined) sharedMacs.set(key, (macs = new Map()));
  let mac = macs.get(text);
  if (mac === undefined) macs.set(text, (mac = key.mac(text)));
  return mac;
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
