import { createHmac } from 'node:crypto';

/**
 * TOTP (RFC 6238) with the parameters cidaas migrates: HMAC-SHA1, 6 digits, 30 s steps,
 * and base32 (RFC 4648) for secrets. Used by the emulator's TOTP check, by tests and by
 * the demo to make codes, and by mappings that turn hex secrets into base32.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DIGITS = 6;
const PERIOD_SECONDS = 30;

/** Encodes bytes as RFC 4648 base32, upper case, without `=` padding (the form authenticator apps use). */
export function base32Encode(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32. Accepts lower case and trailing `=` padding, ignores spaces
 * (as secrets are often written in groups); throws on any other character.
 */
export function base32Decode(str: string): Buffer {
  const clean = str.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: character ${JSON.stringify(ch)}`);
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function hotp(key: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  // RFC 4226 section 5.3: dynamic truncation.
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** The 6-digit TOTP code of a base32 secret at `timeMs` (default: now). */
export function totpCode(secretBase32: string, timeMs: number = Date.now()): string {
  return hotp(base32Decode(secretBase32), Math.floor(timeMs / 1000 / PERIOD_SECONDS));
}

/**
 * True when `code` is the TOTP code of the secret at `timeMs` or one step either side
 * (RFC 6238 section 5.2 recommends allowing one step of clock drift).
 */
export function verifyTotp(secretBase32: string, code: string, timeMs: number = Date.now()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const key = base32Decode(secretBase32);
  const step = Math.floor(timeMs / 1000 / PERIOD_SECONDS);
  for (const delta of [0, -1, 1]) {
    if (step + delta >= 0 && hotp(key, step + delta) === code) return true;
  }
  return false;
}
