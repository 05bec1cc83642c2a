import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { MysqlSource } from '../../../adapters/mysql/mysql-source.js';
import type { MysqlSourceOptions } from '../../../adapters/mysql/mysql-source.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { Secret } from '../../../src/secret.js';
import { createMariaDbDatabase, uniqueName } from '../../support/servers.js';
import type { MariaDbTestDatabase } from '../../support/servers.js';

/** A database on the test MariaDB, a root connection to it, and a replication user as the sidecar would have. */
export interface MysqlFixture {
  readonly db: MariaDbTestDatabase;
  readonly database: string;
  /** A root connection with the fixture's database as default schema (a new one after a server restart). */
  root(): Promise<Connection>;
  /** The replication user: `'name'@'127.0.0.1'`. */
  readonly user: string;
  readonly userName: string;
  /** URL of the replication user (REPLICATION SLAVE, BINLOG MONITOR, SELECT on the database). */
  readonly url: Secret;
  /** A source on `tables` (bare names are qualified with the fixture's database), stopped by {@link close}. */
  source(tables: readonly string[], options?: Partial<MysqlSourceOptions>): MysqlSource;
  /** Runs `sql` as root. */
  exec(sql: string, params?: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

const PASSWORD = 'cdc-secret';
let nextServerId = 5000;

/** Creates the database, the replication user (mysql_native_password: mysql2 cannot do ed25519) and a root connection. */
export async function createMysqlFixture(prefix: string): Promise<MysqlFixture> {
  const db = await createMariaDbDatabase(prefix);
  let current: Connection | null = null;
  const root = async (): Promise<Connection> => {
    if (current) return current;
    const c = await mysql.createConnection({ uri: db.url, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true });
    c.on('error', () => { if (current === c) current = null; });
    await c.query("SET time_zone = '+00:00'");
    current = c;
    return c;
  };
  const exec = async (sql: string, params?: unknown[]): Promise<unknown> => {
    const c = await root();
    try {
      return await c.query(sql, params);
    } catch (err) {
      // A connection from before a server restart: once more on a new one.
      const e = err as { fatal?: boolean; message?: string };
      if (!e.fatal && !/closed state/.test(e.message ?? '')) throw err;
      if (current === c) current = null;
      return (await root()).query(sql, params);
    }
  };
  const userName = uniqueName('cdc');
  const user = `'${userName}'@'127.0.0.1'`;
  await exec(`CREATE USER ${user} IDENTIFIED VIA mysql_native_password USING PASSWORD(?)`, [PASSWORD]);
  await exec(`GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO ${user}`);
  await exec(`GRANT SELECT ON ${db.database}.* TO ${user}`);
  const url = new Secret(`mysql://${userName}:${PASSWORD}@${db.server.host}:${db.server.port}/${db.database}`);
  const sources: MysqlSource[] = [];
  return {
    db, database: db.database, root, user, userName, url,
    source(tables, options = {}) {
      const s = new MysqlSource({
        url, serverId: nextServerId++, logger: new MemoryLogger(), heartbeatMs: 500, reconnectMinMs: 100, reconnectMaxMs: 1000,
        tables: tables.map((t) => (t.includes('.') ? t : `${db.database}.${t}`)),
        ...options,
      });
      sources.push(s);
      return s;
    },
    exec,
    async close() {
      await Promise.all(sources.map((s) => s.stop().catch(() => undefined)));
      await exec(`DROP USER IF EXISTS ${user}`).catch(() => undefined);
      await current?.end().catch(() => undefined);
      await db.drop();
    },
  };
}
