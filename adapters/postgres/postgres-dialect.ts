import pg from 'pg';
import type { LegacyRow } from '../../src/legacy-reader.js';
import type { Secret } from '../../src/secret.js';
import type { SqlDialect } from '../../src/sql-dialect.js';
import type { KeyColumnInfo, LegacyKeyKind } from '../../src/legacy-key.js';
import { quoteIdent, quoteQualified } from './postgres-identifiers.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';

/** The PostgreSQL types a key column may have, by pg_type.typname. */
const POSTGRES_KEY_KINDS: Readonly<Record<string, LegacyKeyKind>> = {
  int2: 'integer', int4: 'integer', int8: 'integer',
  // numeric prints exactly (42, 42.50) and the server parses the same text back: no float on the way.
  numeric: 'text',
  text: 'text', varchar: 'text', bpchar: 'text', citext: 'text', uuid: 'text', name: 'text',
  bytea: 'bytes',
};

/** PostgreSQL for {@link SqlLegacyReader}: a small pool, `= ANY($n)` lists (one parameter, any length). */
export class PostgresDialect implements SqlDialect {
  readonly #pool: pg.Pool;

  constructor(url: Secret, options: { maxConnections?: number } = {}) {
    this.#pool = new pg.Pool({ ...pgConnectionConfig(url), max: options.maxConnections ?? 4, application_name: 'cidaas-sync-read' });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  quoteTable(name: string): string { return quoteQualified(name); }
  quoteIdent(name: string): string { return quoteIdent(name); }
  placeholder(n: number): string { return `$${n}`; }

  inList(column: string, values: readonly unknown[], first: number): { sql: string; params: unknown[] } {
    // The parameter is sent untyped, so the server reads it as an array of the column's type.
    return { sql: `${column} = ANY($${first})`, params: [values] };
  }

  async query(sql: string, params: readonly unknown[]): Promise<LegacyRow[]> {
    const r = await this.#pool.query(sql, params as unknown[]);
    return r.rows as LegacyRow[];
  }

  async estimateRows(table: string): Promise<number> {
    const r = await this.#pool.query<{ n: string }>(
      'SELECT GREATEST(reltuples, 0)::bigint::text AS n FROM pg_class WHERE oid = to_regclass($1)', [quoteQualified(table)]);
    const est = Number(r.rows[0]?.n ?? 0);
    if (est > 0) return est;
    const c = await this.#pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(table)}`);
    return Number(c.rows[0]!.n);
  }

  async keyColumn(table: string, column: string): Promise<KeyColumnInfo | null> {
    // A domain counts as its base type.
    const r = await this.#pool.query<{ type: string; typname: string; pk: string[] | null; unique: boolean }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type,
              COALESCE(NULLIF(bt.typname, ''), t.typname) AS typname,
              (SELECT array_agg(pa.attname::text ORDER BY pa.attnum) FROM pg_index i JOIN pg_attribute pa ON pa.attrelid = i.indrelid AND pa.attnum = ANY(i.indkey)
                 WHERE i.indrelid = a.attrelid AND i.indisprimary) AS pk,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1
                 AND i.indkey[0] = a.attnum AND i.indpred IS NULL) AS unique
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
      [quoteQualified(table), column]);
    const row = r.rows[0];
    if (!row) return null;
    return { type: row.type, kind: POSTGRES_KEY_KINDS[row.typname] ?? null, primaryKey: row.pk, unique: row.unique };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
