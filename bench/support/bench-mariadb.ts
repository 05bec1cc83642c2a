import mysql from 'mysql2/promise';
import { startMariaDbServer } from '../../test/support/mariadb-server.js';
import type { MariaDbServer } from '../../test/support/mariadb-server.js';
import { stopAllServers } from '../../test/support/server-registry.js';
import { uniqueName } from '../../test/support/servers.js';
import { createShopSchema, openShopDb, type ShopDb } from '../../test/support/shop-schema.js';

/**
 * A MariaDB database with the shop schema (test/support/shop-schema.ts), on a throwaway MariaDB
 * server of its own (test/support: temp data dir, free port, ROW binlog with full images and full
 * row metadata, no flushing to disk). Each MySQL bench starts one and stops it when it ends, so that
 * no bench reads another's binlog and nothing outlives the run.
 */
export interface BenchMariaDb {
  /** Superuser URL with the database as default schema. */
  readonly url: string;
  readonly database: string;
  readonly server: MariaDbServer;
  readonly db: ShopDb;
  /** A root connection for ad-hoc statements (SHOW MASTER STATUS, ...). */
  readonly root: mysql.Connection;
  /** Closes the connections and stops the server (its data dir is deleted). */
  close(): Promise<void>;
}

/** Starts a server and creates a database with the shop schema. */
export async function startBenchMariaDb(prefix: string): Promise<BenchMariaDb> {
  const server = await startMariaDbServer();
  const database = uniqueName(prefix);
  let db: ShopDb | undefined;
  let root: mysql.Connection | undefined;
  try {
    root = await mysql.createConnection({ uri: server.urlFor(''), supportBigNumbers: true, bigNumberStrings: true });
    await root.query(`CREATE DATABASE ${database}`);
    await root.query(`USE ${database}`);
    const url = server.urlFor(database);
    await createShopSchema({ url, kind: 'mysql' });
    db = await openShopDb({ url, kind: 'mysql' });
    const shop = db;
    const conn = root;
    return {
      url, database, server, db: shop, root: conn,
      async close() {
        await shop.close();
        await conn.end().catch(() => undefined);
        await stopAllServers();
      },
    };
  } catch (err) {
    await db?.close();
    await root?.end().catch(() => undefined);
    await stopAllServers();
    throw err;
  }
}

/** `SHOW MASTER STATUS` of the server: the end of its binlog. */
export async function binlogEnd(root: mysql.Connection): Promise<{ file: string; offset: number }> {
  const [rows] = await root.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
  const r = rows[0];
  if (!r) throw new Error('the server writes no binlog');
  return { file: String(r['File']), offset: Number(r['Position']) };
}
