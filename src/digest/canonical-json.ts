/**
 * JSON with object keys sorted (by UTF-16 code unit, as `Array.prototype.sort` orders strings), so
 * that equal values always give equal text whatever order their keys were set in. The one
 * canonical JSON of the digests: row digests and user fingerprints both hash its output, and
 * both are stored, so it must never change.
 *
 * `undefinedAs` is the text of an `undefined` value (top level, in an array or as an object
 * value): each digest keeps the text it was first stored with.
 */
export function canonicalJson(value: unknown, undefinedAs: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? undefinedAs;
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v, undefinedAs)).join(',') + ']';
  const record = value as Record<string, unknown>;
  return '{' + Object.keys(record).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson(record[k], undefinedAs)).join(',') + '}';
}
