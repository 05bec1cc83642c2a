import type mysql from 'mysql2/promise';
import pg from 'pg';
import type { ShopRow } from './shop-schema.js';

/* How the shop schema's client (shop-schema.ts) talks to each database: `?` placeholders on both. */

/** Sends SQL to one database; `?` placeholders on both. */
export interface Executor {
  run(sql: string, params: readonly unknown[]): Promise<{ rows: ShopRow[]; insertId: number | undefined }>;
}

/** `?` -> `$n` outside single-quoted strings and double-quoted identifiers. */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | undefined;
  let out = '';
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

export function postgresExecutor(client: pg.Pool | pg.PoolClient): Executor {
  return {
    async run(sql, params) {
      const result = await client.query(toPostgresPlaceholders(sql), [...params]);
      return { rows: (result.rows ?? []) as ShopRow[], insertId: undefined };
    },
  };
}

export function mysqlExecutor(client: mysql.Pool | mysql.PoolConnection): Executor {
  return {
    async run(sql, params) {
      const [result] = await client.query(sql, [...params]);
      if (Array.isArray(result)) return { rows: result as ShopRow[], insertId: undefined };
      return { rows: [], insertId: (result as mysql.ResultSetHeader).insertId };
    },
  };
}

// node-postgres returns int8 as text; ids in this schema stay far below 2^53.
export const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};
