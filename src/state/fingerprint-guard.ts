import { SyncError } from '../errors.js';
import type { FieldFingerprints } from './state-store.js';

/** Digest sizes accepted, in bytes: MD5/128-bit, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512. */
const DIGEST_BYTES = [16, 20, 28, 32, 48, 64] as const;
const HEX_LENGTHS = new Set<number>(DIGEST_BYTES.map((n) => n * 2));
const BASE64_LENGTHS = new Set<number>(DIGEST_BYTES.map((n) => Math.ceil((n * 4) / 3)));

/**
 * True when `value` looks like a digest: hex of 16 to 64 bytes (32, 40, 56, 64, 96 or 128
 * characters) or base64/base64url of one (unpadded or correctly padded). The lengths are exact
 * on purpose: a 16- or 32-character base32 TOTP secret, a bcrypt hash (`$2b$...`), an email
 * or a typical password are all refused.
 */
export function isPlausibleDigest(value: string): boolean {
  if (/^[0-9a-fA-F]+$/.test(value) && HEX_LENGTHS.has(value.length)) return true;
  // test, not exec: no match array and substrings for every fingerprint stored.
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(value)) return false;
  let padding = 0;
  while (value.charCodeAt(value.length - 1 - padding) === 0x3d /* = */) padding++;
  const body = value.length - padding;
  if (!BASE64_LENGTHS.has(body)) return false;
  return padding === 0 || (padding <= 2 && (body + padding) % 4 === 0);
}

/**
 * Defence in depth behind the caller's hashing: throws a permanent STATE_STORE error when a
 * fingerprint is not a plausible digest, so that a plaintext value passed by mistake (a password
 * hash, a TOTP secret) never reaches the state store. The message names the key and the field,
 * never the value.
 */
export function assertFingerprints(key: string, fingerprints: FieldFingerprints): void {
  for (const field of ['profile', 'email', 'password', 'mfa'] as const) {
    const value: unknown = fingerprints[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !isPlausibleDigest(value)) {
      throw new SyncError(
        'STATE_STORE',
        `refusing to store the ${field} fingerprint of user ${JSON.stringify(key)}: it is not a hex or base64 digest of 16 to 64 bytes (the value is not shown: it may be a secret)`,
        { hint: 'fingerprints must be digests (for example SHA-256 hex) computed by the dispatcher; this is a bug in cidaas-sync, please report it' },
      );
    }
  }
}
