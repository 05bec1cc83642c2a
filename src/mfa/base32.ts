// RFC 4648 section 6 base32, the encoding of TOTP secrets in otpauth:// URIs
// (https://github.com/google/google-authenticator/wiki/Key-Uri-Format).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// Characters left over after whole bytes: 8 characters carry 5 bytes, so a final group
// of 1, 3 or 6 characters cannot come from any byte string.
const VALID_REMAINDERS = new Set([0, 2, 4, 5, 7]);

/** Encodes bytes as uppercase RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32: either case, trailing `=` padding optional. Leftover bits
 * after the last whole byte are dropped, as authenticator apps do.
 *
 * @throws Error when a character is outside the alphabet or the length cannot come
 *   from whole bytes. The message never contains the input (it may be a secret).
 */
export function base32Decode(s: string): Buffer {
  const text = s.replace(/=+$/, '').toUpperCase();
  if (!VALID_REMAINDERS.has(text.length % 8)) {
    throw new Error(`base32 text of ${text.length} characters (without padding) cannot encode whole bytes`);
  }
  const out = Buffer.alloc(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const value = ALPHABET.indexOf(text.charAt(i));
    if (value < 0) throw new Error(`character ${i + 1} is outside the base32 alphabet (A-Z, 2-7)`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}
