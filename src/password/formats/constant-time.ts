import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in time that depends only on `expected`'s length, so a
 * caller cannot learn how many leading bytes of a guess were right.
 */
export function equalBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  if (actual.length !== expected.length) {
    // Still spend one comparison, so a length mismatch is not faster than a wrong byte.
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/** {@link equalBytes} over the UTF-8 bytes of two strings (hex digests, crypt strings). */
export function equalText(actual: string, expected: string): boolean {
  return equalBytes(Buffer.from(actual, 'utf8'), Buffer.from(expected, 'utf8'));
}
