import { base32Decode, base32Encode } from './base32.js';

/** How the legacy database keeps TOTP secrets in a text column (`mfa.encoding`). */
export type TotpSecretEncoding = 'base32' | 'hex';

/** A TOTP secret as cidaas takes it (`mfa.totp.secret`), or why not. Reasons never contain the secret. */
export type NormalizedTotpSecret = { ok: true; base32: string } | { ok: false; reason: string };

/**
 * The shortest secret accepted: 80 bits, the minimum RFC 4226 section 4 (R6) allows
 * (it recommends 160). Shorter keys are guessable and some authenticators refuse them.
 */
export const MIN_TOTP_SECRET_BYTES = 10;
/** A bound against feeding a whole document into the pipeline by a mapping mistake. */
const MAX_TOTP_SECRET_BYTES = 1024;

/**
 * Turns a legacy TOTP secret into canonical base32 (uppercase, unpadded):
 * - text with `encoding: base32`: either case, spaces and dashes (as apps display keys)
 *   and `=` padding allowed;
 * - text with `encoding: hex`: django-otp's 40 hex digits (20 bytes), spaces allowed;
 * - bytes (bytea, BLOB, VARBINARY: a Buffer or Uint8Array): the key itself, whatever
 *   `encoding` says.
 * The key must be at least {@link MIN_TOTP_SECRET_BYTES} bytes.
 */
export function normalizeTotpSecret(value: unknown, encoding: TotpSecretEncoding): NormalizedTotpSecret {
  let bytes: Buffer;
  if (value instanceof Uint8Array) {
    bytes = Buffer.from(value);
  } else if (typeof value === 'string') {
    const decoded = encoding === 'hex' ? fromHex(value) : fromBase32(value);
    if (!decoded.ok) return decoded;
    bytes = decoded.bytes;
  } else if (value === null || value === undefined) {
    return { ok: false, reason: 'no TOTP secret (the column is empty)' };
  } else {
    return { ok: false, reason: `TOTP secret must be text or bytes, got ${typeof value}` };
  }
  if (bytes.length === 0) return { ok: false, reason: 'no TOTP secret (the column is empty)' };
  if (bytes.length < MIN_TOTP_SECRET_BYTES) {
    return {
      ok: false,
      reason: `TOTP secret is ${bytes.length * 8} bits, fewer than the ${MIN_TOTP_SECRET_BYTES * 8} RFC 4226 requires: the user must enrol again (check mfa.encoding if the legacy key is longer)`,
    };
  }
  if (bytes.length > MAX_TOTP_SECRET_BYTES) {
    return { ok: false, reason: `TOTP secret is ${bytes.length} bytes, more than ${MAX_TOTP_SECRET_BYTES}: is mfa.secret the right column?` };
  }
  return { ok: true, base32: base32Encode(bytes) };
}

type Decoded = { ok: true; bytes: Buffer } | { ok: false; reason: string };

function fromBase32(text: string): Decoded {
  const compact = text.replace(/[\s-]/g, '');
  if (compact.indexOf('=') !== -1 && !/^[^=]*=+$/.test(compact)) {
    return { ok: false, reason: 'TOTP secret has "=" padding before its end (mfa.encoding: base32)' };
  }
  try {
    return { ok: true, bytes: base32Decode(compact) };
  } catch (err) {
    // base32Decode's messages name positions and lengths, never characters.
    const detail = err instanceof Error ? err.message : 'not base32';
    return { ok: false, reason: `TOTP secret is not base32: ${detail} (mfa.encoding: base32; use hex if the legacy system stores hex keys)` };
  }
}

function fromHex(text: string): Decoded {
  const compact = text.replace(/\s/g, '');
  const bad = compact.search(/[^0-9a-fA-F]/);
  if (bad !== -1) {
    return { ok: false, reason: `TOTP secret is not hex: character ${bad + 1} is outside 0-9, a-f (mfa.encoding: hex; use base32 if the legacy system stores base32 keys)` };
  }
  if (compact.length % 2 !== 0) {
    return { ok: false, reason: `TOTP secret has an odd number of hex digits (${compact.length}) (mfa.encoding: hex)` };
  }
  return { ok: true, bytes: Buffer.from(compact, 'hex') };
}
