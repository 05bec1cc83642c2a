import mysql from 'mysql2/promise';
import pg from 'pg';
import { quoteIdent, quoteQualified } from '../../../adapters/postgres/postgres-identifiers.js';
import type { LegacyReader, LegacyRow } from '../../../src/legacy-reader.js';
import type { SqlDialect } from '../../../src/sql-dialect.js';
import { SqlLegacyReader, type ReaderTables } from '../../../src/sql-legacy-reader.js';
import { createMariaDbDatabase, createPostgresDatabase, uniqueName } from '../../support/servers.js';
import { createShopSchema, openShopDb, type ShopDb, type ShopDbKind } from '../../support/shop-schema.js';

/** One legacy database kind as the shared sync suite drives it. */
export interface SyncTarget {
  readonly kind: ShopDbKind;
  readonly url: string;
  readonly publication: string;
  readonly db: ShopDb;
  /**
   * A reader whose every read sees the database as it is now, through a transaction opened now and
   * kept open: after a later change, its reads are older than the log.
   */
  openSnapshotReader(tables: ReaderTables): Promise<LegacyReader>;
  drop(): Promise<void>;
}

export async function createSyncTarget(kind: ShopDbKind): Promise<SyncTarget> {
  const publication = uniqueName('pub');
  if (kind === 'postgres') {
    const d = await createPostgresDatabase('sync');
    await createShopSchema({ url: d.url, kind }, { publication });
    const db = await openShopDb({ url: d.url, kind });
    return {
      kind, url: d.url, publication, db,
      async openSnapshotReader(tables) {
        const c = new pg.Client({ connectionString: d.url });
        c.on('error', () => undefined); // terminated when the database is dropped
        await c.connect();
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await c.query('SELECT 1'); // the snapshot is taken by the first statement
        let queue: Promise<unknown> = Promise.resolve();
        const dialect: SqlDialect = {
          quoteTable: quoteQualified, quoteIdent, placeholder: (n) => `$${n}`,
          inList: (column, values, first) => ({ sql: `${column} = ANY($${first})`, params: [values] }),
          // One transaction on one connection: its queries must run one after another.
          query: (sql, params) => {
            const run = queue.then(async () => (await c.query(sql, params as unknown[])).rows as LegacyRow[]);
            queue = run.catch(() => undefined);
            return run;
          },
          estimateRows: async () => 0,
          close: async () => { await c.query('ROLLBACK'); await c.end(); },
        };
        return new SqlLegacyReader(dialect, tables);
      },
      async drop() { await db.close(); await d.drop(); },
    };
  }
  const d = await createMariaDbDatabase('sync');
  await createShopSchema({ url: d.url, kind });
  const db = await openShopDb({ url: d.url, kind });
  return {
    kind, url: d.url, publication, db,
    async openSnapshotReader(tables) {
      const c = await mysql.createConnection({ uri: d.url, supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z' });
      await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      const q = (name: string) => '`' + name.replace(/`/g, '``') + '`';
      const dialect: SqlDialect = {
        quoteTable: (name) => name.split('.').map(q).join('.'), quoteIdent: q, placeholder: () => '?',
        inList: (column, values) => ({ sql: `${column} IN (${values.map(() => '?').join(',')})`, params: [...values] }),
        query: async (sql, params) => (await c.query(sql, params as unknown[]))[0] as LegacyRow[],
        estimateRows: async () => 0,
        close: async () => { await c.query('ROLLBACK'); await c.end(); },
      };
      return new SqlLegacyReader(dialect, tables);
    },
    async drop() { await db.close(); await d.drop(); },
  };
}
