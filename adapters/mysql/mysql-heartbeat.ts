import mysql from 'mysql2';
import type { Pool as PromisePool, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import { HeartbeatWriter } from '../heartbeat-writer.js';
import type { HeartbeatOptions } from '../heartbeat-writer.js';
import { mysqlConnectionOptions, quoteMysqlTable, splitMysqlTable } from './mysql-connection-options.js';

/**
 * The MySQL/MariaDB heartbeat (`source.heartbeat.table`): every interval, on a connection of its
 * own, `INSERT INTO t (id, beat) VALUES (1, NOW(6)) ON DUPLICATE KEY UPDATE beat = VALUES(beat)`.
 * The write is a transaction on a table that is not configured, so the stream ends it in an idle
 * position. The user needs INSERT and UPDATE on the table, which the DBA creates:
 *
 * ```sql
 * CREATE TABLE shop.cidaas_sync_heartbeat (id int PRIMARY KEY, beat timestamp(6));
 * GRANT INSERT, UPDATE ON shop.cidaas_sync_heartbeat TO 'cidaas_sync'@'%';
 * ```
 *
 * (`beat timestamp` works too, but then a write in the same second as the one before changes
 * nothing and logs nothing; the next one moves the position.)
 */
export function mysqlHeartbeat(url: Secret, options: HeartbeatOptions, logger: Logger): HeartbeatWriter {
  const table = quoteMysqlTable(options.table);
  let pool: PromisePool | null = null;
  const open = (): PromisePool => {
    // One connection; mysql2 replaces it when the server drops it.
    pool ??= mysql.createPool({ ...mysqlConnectionOptions(url), connectionLimit: 1, maxIdle: 1, idleTimeout: Math.max(60_000, 3 * options.intervalMs) }).promise();
    return pool;
  };
  const timeout = Math.max(5000, options.intervalMs);
  const { database, table: name } = splitMysqlTable(options.table);
  /** Whether information_schema shows the table to the user; null when that cannot be told. */
  const tableVisible = async (): Promise<boolean | null> => {
    try {
      const [rows] = await open().query<RowDataPacket[]>('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [database, name]);
      return rows.length > 0;
    } catch {
      return null;
    }
  };
  return new HeartbeatWriter(options, {
    async write() {
      await open().query({ sql: `INSERT INTO ${table} (id, beat) VALUES (1, NOW(6)) ON DUPLICATE KEY UPDATE beat = VALUES(beat)`, timeout });
    },
    async fix(err) {
      const errno = (err as { errno?: unknown }).errno;
      let user = "'cidaas_sync'@'%'";
      try {
        const [rows] = await open().query<RowDataPacket[]>('SELECT CURRENT_USER() AS u');
        const [name, host] = String(rows[0]?.['u'] ?? '').split('@');
        if (name) user = `'${name}'@'${host ?? '%'}'`;
      } catch {
        // keep the placeholder
      }
      const grant = `GRANT INSERT, UPDATE ON ${table} TO ${user};`;
      const create = `CREATE TABLE ${table} (id int PRIMARY KEY, beat timestamp(6)); ${grant}`;
      if (errno === 1146) return create;
      // The server checks privileges before it looks for the table: a missing one is "denied" too.
      if (errno === 1142 || errno === 1143) return (await tableVisible()) === false ? create : grant;
      if (errno === 1290 || errno === 1836) return 'the server is read-only: remove source.heartbeat, or point source.url at the primary';
      return `check that ${options.table} exists as (id int PRIMARY KEY, beat timestamp(6)) and that the user may write it: ${grant}`;
    },
    async close() {
      const p = pool;
      pool = null;
      await p?.end();
    },
  }, logger.child({ component: 'heartbeat' }));
}
