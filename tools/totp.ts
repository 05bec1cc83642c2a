import { createHmac } from 'node:crypto';
import { base32Decode as decodeBase32, base32Encode } from '../src/mfa/base32.js';

/**
 * TOTP (RFC 6238) with the parameters cidaas migrates: HMAC-SHA1, 6 digits, 30 s steps,
 * and base32 (RFC 4648) for secrets. Used by the emulator's TOTP check, by tests and by
 * the demo to make codes, and by mappings that turn hex secrets into base32.
 */

const DIGITS = 6;
const PERIOD_SECONDS = 30;

export { base32Encode };

/**
 * Decodes RFC 4648 base32. Accepts lower case and trailing `=` padding, ignores spaces
 * (as secrets are often written in groups); throws on any other character, without
 * quoting it.
 */
export function base32Decode(str: string): Buffer {
  return decodeBase32(str.replace(/\s+/g, ''));
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
