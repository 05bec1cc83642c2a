import { canonicalValue } from './digest/row-digest.js';

/** A value a `filter:` may name: what YAML can write for a column value. */
export type FilterValue = string | number | boolean;

/**
 * `filter: { <column>: <value or list of values> }` of a configured table: only rows whose every
 * named column holds one of its values belong to the sync. The SQL reads add it to their WHERE;
 * the translator applies it to the log's row images with {@link matchesFilter}.
 */
export type RowFilter = Readonly<Record<string, readonly FilterValue[]>>;

/** The filter as the configuration writes it (a single value or a list), as lists. */
export function rowFilter(written: Readonly<Record<string, FilterValue | readonly FilterValue[]>> | undefined): RowFilter | undefined {
  if (!written || Object.keys(written).length === 0) return undefined;
  const out: Record<string, readonly FilterValue[]> = {};
  for (const [column, v] of Object.entries(written)) out[column] = Array.isArray(v) ? [...(v as FilterValue[])] : [v as FilterValue];
  return out;
}

/**
 * Whether a row image matches the filter: true or false, or `null` when the image lacks a filter
 * column (a key-only old image) and so cannot tell. Values compare in their canonical text, as
 * the reads and the log decoders give them alike (`true` and 1 are the same, as are 42 and "42").
 */
export function matchesFilter(filter: RowFilter | undefined, image: Readonly<Record<string, unknown>>): boolean | null {
  if (!filter) return true;
  let unknown = false;
  for (const [column, values] of Object.entries(filter)) {
    const v = image[column];
    if (v === undefined) { unknown = true; continue; }
    if (v === null) return false;
    const text = canonicalValue(v);
    if (!values.some((f) => canonicalValue(f) === text)) return false;
  }
  return unknown ? null : true;
}
