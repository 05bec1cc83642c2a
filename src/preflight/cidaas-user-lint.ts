import { ALGORITHM_TYPE_ID_RE } from '../../config/config-fields.js';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { normalizeTotpSecret } from '../mfa/normalize-totp-secret.js';
import { explicitPasswordHash } from '../password/explicit-password-hash.js';

/** Something about a cidaas user entity that cidaas would refuse or that looks wrong (docs/cidaas-api.md). */
export interface LintFinding {
  /** The entity field: `email`, `mobile_number`, `password_hash_info`, `mfa`; `user` for the whole entity. */
  readonly field: string;
  /** What is wrong, never the value of a secret. */
  readonly message: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164: a plus and 2 to 15 digits, no leading zero. */
const E164 = /^\+[1-9]\d{1,14}$/;
const STATUSES = new Set(['VERIFIED', 'PENDING', 'LOCKED', 'DECLINED']);

function realDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function isoTime(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s));
}

function lintPassword(user: CidaasUser): LintFinding[] {
  const pw = user.password_hash_info;
  if (!pw) return [];
  if (!ALGORITHM_TYPE_ID_RE.test(pw.algorithmTypeId)) {
    return [{ field: 'password_hash_info', message: `unsupported algorithmTypeId ${pw.algorithmTypeId} (cidaas takes BCRYPT_<4..20>, PBKDF2_SHA256, PBKDF2_SHA1, PBKDF2_SHA512, ARGON2, SHA256, SHA1, CUSTOM_<NAME>)` }];
  }
  // The hash must have the format its algorithm expects; salts travel as base64 of their bytes.
  const r = explicitPasswordHash(pw.passwordHash.reveal(), pw.algorithmTypeId, {
    salt: pw.hData?.salt ?? null, iterations: pw.hData?.iterations ?? null, saltEncoding: 'base64',
  });
  return r.ok ? [] : [{ field: 'password_hash_info', message: `the hash does not fit ${pw.algorithmTypeId}: ${r.reason}` }];
}

function lintMfa(user: CidaasUser): LintFinding[] {
  const t = user.mfa?.totp;
  const out: LintFinding[] = [];
  if (user.mfa_enabled === true && !t) out.push({ field: 'mfa', message: 'mfa_enabled is true but no TOTP setup is sent' });
  if (!t) return out;
  const secret = t.secret.reveal();
  const n = normalizeTotpSecret(secret, 'base32');
  if (!n.ok || n.base32 !== secret) out.push({ field: 'mfa', message: `the TOTP secret is not upper-case base32 of at least 80 bits${n.ok ? '' : ` (${n.reason})`}: check mfa.encoding` });
  const algorithm: string = t.algorithm ?? 'SHA1';
  const digits = t.digits ?? 6;
  const period = t.period ?? 30;
  if (!['SHA1', 'SHA256', 'SHA512'].includes(algorithm)) out.push({ field: 'mfa', message: `unsupported TOTP algorithm ${algorithm}` });
  if (digits !== 6 && digits !== 8) out.push({ field: 'mfa', message: `unsupported TOTP digits ${digits}` });
  if (!(Number.isInteger(period) && period > 0)) out.push({ field: 'mfa', message: `unsupported TOTP period ${period}` });
  return out;
}

/**
 * Checks a cidaas user entity against the bulk API's rules (docs/cidaas-api.md): an identifier, an
 * email address, an E.164 mobile number, a YYYY-MM-DD birthdate, ISO 8601 times, a known
 * userStatus, a supported algorithmTypeId whose hash has the right format, a base32 TOTP secret.
 * What `preview` shows before anything is pushed. Findings never contain a secret.
 */
export function lintCidaasUser(user: CidaasUser): LintFinding[] {
  const out: LintFinding[] = [];
  if (!user.email && !user.mobile_number && !user.username) out.push({ field: 'user', message: 'no identifier: cidaas needs an email, mobile_number or username' });
  if (user.email !== undefined && !EMAIL.test(user.email)) out.push({ field: 'email', message: `"${user.email}" is not an email address (local@domain.tld)` });
  if (user.mobile_number !== undefined && !E164.test(user.mobile_number)) out.push({ field: 'mobile_number', message: `"${user.mobile_number}" is not E.164 (+ and 2 to 15 digits, e.g. +4915112345678)` });
  if (user.birthdate !== undefined && !realDate(user.birthdate)) out.push({ field: 'birthdate', message: `"${user.birthdate}" is not a YYYY-MM-DD date` });
  for (const f of ['createdTime', 'lastLoggedInTime'] as const) {
    const v = user[f];
    if (v !== undefined && !isoTime(v)) out.push({ field: f, message: `"${v}" is not an ISO 8601 time` });
  }
  if (user.userStatus !== undefined && !STATUSES.has(user.userStatus)) out.push({ field: 'userStatus', message: `"${String(user.userStatus)}" is not VERIFIED, PENDING, LOCKED or DECLINED` });
  if (user.username !== undefined && user.username.trim() === '') out.push({ field: 'username', message: 'is empty' });
  out.push(...lintPassword(user), ...lintMfa(user));
  return out;
}
