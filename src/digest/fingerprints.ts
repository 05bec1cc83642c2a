import { hash } from 'node:crypto';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import type { FieldFingerprints } from '../state/state-store.js';
import { canonicalJson } from './canonical-json.js';

/** The field groups a push is split into for change detection and domain events. */
export type FieldGroup = keyof FieldFingerprints;

const EMAIL_FIELDS = new Set(['email', 'email_verified']);
const SKIPPED = new Set(['sub', 'password_hash_info', 'mfa', 'mfa_enabled']);

function digest(parts: unknown): string {
  return hash('sha256', canonicalJson(parts, 'null'), 'hex');
}

/**
 * One digest per field group of the user as it is pushed: profile, email, password, MFA. Digests,
 * never values: the state store holds these, and they cover the password hash and TOTP secret.
 * A group the user does not carry has no fingerprint.
 */
export function fingerprintUser(user: CidaasUser): FieldFingerprints {
  const profile: Record<string, unknown> = {};
  const email: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user)) {
    if (SKIPPED.has(k) || v === undefined) continue;
    (EMAIL_FIELDS.has(k) ? email : profile)[k] = v;
  }
  const fp: FieldFingerprints = { profile: digest(profile) };
  if (Object.keys(email).length) fp.email = digest(email);
  const pw = user.password_hash_info;
  if (pw) fp.password = digest({ a: pw.algorithmTypeId, h: pw.passwordHash.reveal(), d: pw.hData ?? null });
  if (user.mfa_enabled !== undefined || user.mfa) {
    const t = user.mfa?.totp;
    fp.mfa = digest({ on: user.mfa_enabled ?? null, s: t ? t.secret.reveal() : null, a: t?.algorithm ?? null, d: t?.digits ?? null, p: t?.period ?? null });
  }
  return fp;
}

/** The groups whose fingerprint differs between what was pushed last and what would be pushed now. */
export function changedGroups(previous: FieldFingerprints | undefined, next: FieldFingerprints): FieldGroup[] {
  const groups: FieldGroup[] = ['profile', 'email', 'password', 'mfa'];
  if (!previous) return groups.filter((g) => next[g] !== undefined);
  return groups.filter((g) => previous[g] !== next[g]);
}
