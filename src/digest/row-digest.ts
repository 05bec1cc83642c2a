import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * Canonical text of a column value, equal for the value as the log decoder gives it and as the
 * driver's query returns it: numbers, bigints and numeric strings alike print as digits, booleans
 * as 1/0 (MySQL's TINYINT(1) is a number on one side and may be a boolean on the other), dates as
 * ISO text in milliseconds (both sides lose microseconds), bytes as hex, JSON as sorted-key JSON.
 */
export function canonicalValue(value: unknown): string {
  if (value === null || value === undefined) return '\u0000null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    default:
      break;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid-date' : value.toISOString();
  if (value instanceof Uint8Array) return 'hex:' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return canonicalJson(value, 'undefined');
}

/**
 * The digest of `columns` of a row: what the engine expects a read to return after a logged change.
 * A digest, never the values: rows carry password hashes and TOTP secrets.
 */
export function rowDigest(row: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
  // One text, one one-shot hash: the same digest as hashing the parts one after the other (UTF-8
  // of the concatenation is the concatenation of the UTF-8; the separators keep every part whole),
  // at a fraction of the cost of a Hash object and four updates per column. Every changed row and
  // every read of a dirty user goes through here.
  let text = '';
  for (const c of columns) text += c + '\u0001' + canonicalValue(row[c]) + '\u0002';
  return hash('sha256', text, 'base64url').slice(0, 22);
}

/** The identity of a row: its key columns' canonical values, or `null` when the image lacks one. */
export function rowIdentity(row: Readonly<Record<string, unknown>>, keyColumns: readonly string[]): string | null {
  if (keyColumns.length === 0) return null;
  const parts: string[] = [];
  for (const c of keyColumns) {
    const v = row[c];
    if (v === undefined) return null;
    parts.push(canonicalValue(v));
  }
  return parts.length === 1 ? parts[0]! : JSON.stringify(parts);
}

/** A legacy key as the engine and the state store hold it: its canonical text. */
export function keyText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return canonicalValue(value);
}
