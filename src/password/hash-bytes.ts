/**
 * Strict decoders for the text encodings legacy hashes use. Each returns undefined
 * rather than guessing: Node's own `Buffer.from(s, 'base64')` skips bad characters,
 * which would turn a truncated or mangled column into a hash that can never verify.
 */

/** Standard base64 (`+/`), padding optional, trailing bits zero. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bare = text.replace(/=+$/, '');
  if (text.length !== bare.length && text.length % 4 !== 0) return undefined;
  if (bare.length % 4 === 1) return undefined;
  const bytes = Buffer.from(bare, 'base64');
  // Re-encoding catches non-zero trailing bits, i.e. text no encoder produced.
  return bytes.toString('base64').replace(/=+$/, '') === bare ? bytes : undefined;
}

/**
 * passlib's "adapted base64" (ab64): standard base64 with `.` for `+` and no padding.
 * See https://passlib.readthedocs.io/en/stable/lib/passlib.utils.binary.html (ab64_encode).
 */
export function decodeAb64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9./]*$/.test(text)) return undefined;
  return decodeBase64(text.replace(/\./g, '+'));
}

/** Hex of even length, either case. */
export function decodeHex(text: string): Buffer | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

/** Standard padded base64, the form cidaas gets for PBKDF2 hashes and salts. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
