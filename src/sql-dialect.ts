import type { KeyColumnInfo } from './legacy-key.js';
import type { LegacyRow } from './legacy-reader.js';

/**
 * What a SQL database must provide for the legacy reader (`SqlLegacyReader`): quoting, placeholders,
 * batch queries and catalog facts. Implemented once per database (`adapters/<db>/<db>-dialect.ts`)
 * and created by its `SourceAdapter`.
 */
export interface SqlDialect {
  /** Quotes a possibly qualified table name (`public.users`). */
  quoteTable(name: string): string;
  quoteIdent(name: string): string;
  /** A condition `column` in `values`, with its parameters, numbering placeholders from `first` (1-based). */
  inList(column: string, values: readonly unknown[], first: number): { sql: string; params: unknown[] };
  /** The n-th placeholder (1-based). */
  placeholder(n: number): string;
  query(sql: string, params: readonly unknown[]): Promise<LegacyRow[]>;
  /** The table's row count estimate (planner statistics), or an exact count when cheap. */
  estimateRows(table: string): Promise<number>;
  /**
   * The type of a key column and whether it identifies one row, or `null` when the column does
   * not exist. Without it, every key is read as text.
   */
  keyColumn?(table: string, column: string): Promise<KeyColumnInfo | null>;
  close(): Promise<void>;
}
