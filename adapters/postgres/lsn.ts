/**
 * PostgreSQL log sequence numbers. Positions are kept as PostgreSQL prints them (`16/B374D848`);
 * compare them as numbers, never as strings: event LSNs are unpadded and message fields padded.
 */

/** Parses `X/Y` (hex halves) into a 64-bit number. */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new Error(`not a PostgreSQL LSN: ${lsn}`);
  return (BigInt('0x' + m[1]) << 32n) | BigInt('0x' + m[2]);
}

/** Formats a 64-bit number as PostgreSQL does (`16/B374D848`). */
export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Orders two LSNs. */
export function compareLsn(a: string, b: string): number {
  const x = parseLsn(a), y = parseLsn(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The canonical form of an LSN. */
export function normalizeLsn(lsn: string): string {
  return formatLsn(parseLsn(lsn));
}
