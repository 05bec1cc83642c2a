import { createHash } from 'node:crypto';
import { equalText } from './constant-time.js';
import { ITOA64, phpassEncode64 } from './crypt-base64.js';

/*
 * The phpass "portable" construction (openwall PasswordHash.php, crypt_private) and
 * Drupal 7's SHA-512 variant of it (includes/password.inc, _password_crypt):
 *   setting = id (3) | log2 count (1, itoa64) | salt (8)
 *   h = H(salt + password); repeat 2^log2 times: h = H(h + password)
 *   hash = setting + encode64(h), cut to 34 (phpass) or 55 (Drupal) characters.
 */

/** Lowest and highest log2 iteration counts accepted (phpass and Drupal both allow 7..30). */
export const PORTABLE_LOG2 = { min: 7, max: 30 } as const;
/**
 * Above this, a check is refused rather than run: 2^20 rounds is already ~1 s of CPU,
 * and the platforms use 8 (WordPress), 10-11 (phpBB) and 15-16 (Drupal).
 */
export const PORTABLE_LOG2_LIMIT = 20;

const SHAPE = /^\$[PHS]\$[./0-9A-Za-z]{9}[./0-9A-Za-z]+$/;

/** The log2 count of a `$P$`/`$H$`/`$S$` hash, or a reason it cannot be checked. */
export function portableProblem(hash: string, ids: readonly string[], length: number): string | undefined {
  const prefix = hash.slice(0, 3);
  if (!ids.includes(prefix) || !SHAPE.test(hash)) return `not a ${ids.join('/')} hash`;
  if (hash.length !== length) return `a ${prefix} hash is ${length} characters, this one ${hash.length}: is the column truncated?`;
  const log2 = ITOA64.indexOf(hash[3]!);
  if (log2 < PORTABLE_LOG2.min || log2 > PORTABLE_LOG2.max) return `${prefix} hash with an invalid iteration count`;
  if (log2 > PORTABLE_LOG2_LIMIT) return `${prefix} hash asks for 2^${log2} rounds, above the verifier's limit of 2^${PORTABLE_LOG2_LIMIT}`;
  return undefined;
}

/** Recomputes a portable hash from its setting (first 12 characters) and compares. */
export function portableVerify(password: Buffer, stored: string, algorithm: 'md5' | 'sha512', length: number): boolean {
  const setting = stored.slice(0, 12);
  const log2 = ITOA64.indexOf(setting[3]!);
  const salt = Buffer.from(setting.slice(4, 12), 'latin1');
  let h = createHash(algorithm).update(salt).update(password).digest();
  for (let count = 1 << log2; count > 0; count--) {
    h = createHash(algorithm).update(h).update(password).digest();
  }
  const computed = (setting + phpassEncode64(h, h.length)).slice(0, length);
  return equalText(computed, stored);
}
