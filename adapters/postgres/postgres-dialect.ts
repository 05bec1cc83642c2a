import pg from 'pg';
import type { LegacyRow } from '../../src/legacy-reader.js';
import type { Secret } from '../../src/secret.js';
import type { SqlDialect } from '../../src/sql-legacy-reader.js';
import { quoteIdent, quoteQualified } from './postgres-identifiers.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';

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

  inList(column: string, values: readonly string[], first: number): { sql: string; params: unknown[] } {
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

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
