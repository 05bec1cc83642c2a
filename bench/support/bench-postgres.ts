import pg from 'pg';
import { startPostgresServer } from '../../test/support/postgres-server.js';
import { stopAllServers } from '../../test/support/server-registry.js';
import { uniqueName } from '../../test/support/servers.js';
import { createShopSchema, openShopDb, type ShopDb } from '../../test/support/shop-schema.js';

/**
 * A PostgreSQL database with the shop schema (test/support/shop-schema.ts) and a publication of
 * its user tables, on a throwaway PostgreSQL server of its own (test/support: temp data dir, free
 * port, wal_level=logical, fsync off). Each bench starts one and stops it when it ends, so that no
 * bench inherits another's WAL, slots or caches, and nothing outlives the run.
 */
export interface BenchDatabase {
  /** Superuser URL of the database. */
  readonly url: string;
  readonly database: string;
  readonly publication: string;
  readonly db: ShopDb;
  /** The directory of the PostgreSQL programs (pg_recvlogical). */
  readonly bindir: string;
  /** Closes the pool and stops the server (its data dir is deleted). */
  close(): Promise<void>;
}

/** Starts a server and creates a database with the shop schema and a publication for users, credentials and totp_devices. */
export async function startBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const server = await startPostgresServer();
  const database = uniqueName(prefix);
  let db: ShopDb | undefined;
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
    const url = server.urlFor(database);
    const publication = uniqueName('pub');
    await createShopSchema({ url, kind: 'postgres' }, { publication });
    db = await openShopDb({ url, kind: 'postgres' });
    const shop = db;
    return {
      url,
      database,
      publication,
      db: shop,
      bindir: server.bindir,
      async close() {
        await shop.close();
        await stopAllServers();
      },
    };
  } catch (err) {
    await db?.close();
    await stopAllServers();
    throw err;
  }
}
