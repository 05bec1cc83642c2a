/**
 * The base64 alphabet of crypt(3) and phpass (`./0-9A-Za-z`), and the two ways those
 * formats pack bytes with it. Neither is standard base64: the bit order differs.
 */
export const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** phpass's `encode64` (openwall PasswordHash.php): little-endian groups of 3 bytes. */
export function phpassEncode64(input: Uint8Array, count: number): string {
  let out = '';
  let i = 0;
  do {
    let value = input[i++]!;
    out += ITOA64[value & 0x3f];
    if (i < count) value |= input[i]! << 8;
    out += ITOA64[(value >> 6) & 0x3f];
    if (i++ >= count) break;
    if (i < count) value |= input[i]! << 16;
    out += ITOA64[(value >> 12) & 0x3f];
    if (i++ >= count) break;
    out += ITOA64[(value >> 18) & 0x3f];
  } while (i < count);
  return out;
}

/** crypt(3)'s `b64_from_24bit`: `n` characters of the 24-bit value b2|b1|b0, low bits first. */
export function cryptTo64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let k = 0; k < n; k++) {
    out += ITOA64[w & 0x3f];
    w >>= 6;
  }
  return out;
}
