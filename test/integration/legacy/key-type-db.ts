import mysql from 'mysql2/promise';
import pg from 'pg';
import { createMariaDbDatabase, createPostgresDatabase, uniqueName } from '../../support/servers.js';
import type { ShopDbKind } from '../../support/shop-schema.js';

/** A scratch legacy database for a test that builds its own schema: raw SQL with `?` placeholders on both kinds. */
export interface ScratchDb {
  readonly kind: ShopDbKind;
  readonly url: string;
  /** PostgreSQL: a publication name for {@link ScratchDb.publish}. */
  readonly publication: string;
  /** Runs one statement; `?` placeholders on both kinds. */
  exec(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** PostgreSQL: creates the publication for `tables`; MariaDB: nothing to do. */
  publish(tables: readonly string[]): Promise<void>;
  drop(): Promise<void>;
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export async function createScratchDb(kind: ShopDbKind, prefix: string): Promise<ScratchDb> {
  const publication = uniqueName('pub');
  if (kind === 'postgres') {
    const d = await createPostgresDatabase(prefix);
    const pool = new pg.Pool({ connectionString: d.url, max: 2 });
    pool.on('error', () => undefined);
    return {
      kind, url: d.url, publication,
      exec: async (sql, params = []) => (await pool.query(numbered(sql), params as unknown[])).rows as Record<string, unknown>[],
      publish: async (tables) => { await pool.query(`CREATE PUBLICATION ${publication} FOR TABLE ${tables.join(', ')}`); },
      drop: async () => { await pool.end(); await d.drop(); },
    };
  }
  const d = await createMariaDbDatabase(prefix);
  const pool = mysql.createPool({ uri: d.url, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z' });
  return {
    kind, url: d.url, publication,
    exec: async (sql, params = []) => {
      const [rows] = await pool.query(sql, params as unknown[]);
      return Array.isArray(rows) ? rows as Record<string, unknown>[] : [];
    },
    publish: async () => undefined,
    drop: async () => { await pool.end(); await d.drop(); },
  };
}
