import mysql from 'mysql2';
import type { Pool as PromisePool, RowDataPacket } from 'mysql2/promise';
import { ExitCode, SyncError } from '../../src/errors.js';
import type { Secret } from '../../src/secret.js';
import type { BinlogPosition } from './binlog-position.js';
import type { ResumeQueries } from './binlog-resume.js';
import { mysqlConnectionOptions, SESSION_TIME_ZONE_SQL } from './mysql-connection-options.js';
import { withTlsHint } from '../../src/security/with-tls-hint.js';
import { redactDriverError } from '../../src/redact/redact.js';

/** A binlog file as `SHOW BINARY LOGS` lists it. */
export interface BinlogFile {
  readonly name: string;
  readonly size: number;
}

/** What the adapter needs to know about the server before it streams. */
export interface MysqlServerInfo {
  readonly version: string;
  readonly mariadb: boolean;
  readonly logBin: boolean;
  readonly binlogFormat: string;
  readonly binlogRowImage: string;
  /** `null` on servers without the setting (MariaDB < 10.5, MySQL < 8.0.1). */
  readonly binlogRowMetadata: string | null;
}

/**
 * The adapter's ordinary (non-replication) queries against the source: server settings, the binlog
 * files, the current position and the tables' primary keys. A small pool, so a connection lost in a
 * server restart is replaced on the next query.
 */
export class MysqlServer implements ResumeQueries {
  readonly #pool: PromisePool;

  constructor(url: Secret) {
    const pool = mysql.createPool({ ...mysqlConnectionOptions(url), connectionLimit: 2, maxIdle: 1, idleTimeout: 60_000 });
    pool.on('connection', (c) => c.query(SESSION_TIME_ZONE_SQL, () => undefined));
    this.#pool = pool.promise();
  }

  async #rows(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
    try {
      const [rows] = await this.#pool.query<RowDataPacket[]>(sql, params);
      return rows;
    } catch (err) {
      throw asSourceError(err);
    }
  }

  async info(): Promise<MysqlServerInfo> {
    const [r] = await this.#rows('SELECT VERSION() AS version, @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image');
    let metadata: string | null = null;
    try {
      const [m] = await this.#rows('SELECT @@binlog_row_metadata AS metadata');
      metadata = m?.metadata == null ? null : String(m.metadata);
    } catch {
      // unknown variable: the server predates the setting, metadata stays null
    }
    const version = String(r!.version);
    return {
      version,
      mariadb: /mariadb/i.test(version),
      logBin: Number(r!.logBin) === 1,
      binlogFormat: String(r!.format).toUpperCase(),
      binlogRowImage: String(r!.image).toUpperCase(),
      binlogRowMetadata: metadata?.toUpperCase() ?? null,
    };
  }

  /** `SHOW BINARY LOGS`: the files the server still has, oldest first. */
  async binaryLogs(): Promise<BinlogFile[]> {
    const rows = await this.#rows('SHOW BINARY LOGS');
    return rows.map((r) => ({ name: String(r.Log_name), size: Number(r.File_size) }));
  }

  /** MariaDB's GTID position at a binlog offset (`BINLOG_GTID_POS`); `null` when it has none. */
  async gtidAt(file: string, offset: number): Promise<string | null> {
    const [r] = await this.#rows('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, offset]);
    const g = r?.gtid == null ? '' : String(r.gtid);
    return g === '' ? null : g;
  }

  /** `@@gtid_binlog_state`: per domain and server, the last GTID in this server's binlog (MariaDB; '' when none). */
  async gtidBinlogState(): Promise<string> {
    const [r] = await this.#rows('SELECT @@GLOBAL.gtid_binlog_state AS state');
    return r?.state == null ? '' : String(r.state);
  }

  /**
   * The end of the binlog as a position from which streaming misses no transaction visible to reads
   * that start afterwards. MariaDB writes a transaction to the binlog before the storage engine
   * commits it, so `SHOW MASTER STATUS` can name a point past a transaction that reads do not see
   * yet. `START TRANSACTION WITH CONSISTENT SNAPSHOT` pins `Binlog_snapshot_file/position` to
   * exactly the transactions its snapshot sees (the mechanism of `mariadb-dump --single-transaction
   * --master-data`), so every transaction before the returned position is already visible.
   * MySQL has no such status: there the position is `SHOW BINARY LOG STATUS`.
   */
  async currentPosition(mariadb: boolean): Promise<BinlogPosition> {
    const c = await this.#pool.getConnection().catch((err: unknown) => { throw asSourceError(err); });
    try {
      if (mariadb) {
        await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
        const [rows] = await c.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
        await c.query('COMMIT');
        const v = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
        const file = v.get('binlog_snapshot_file') ?? '';
        const offset = Number(v.get('binlog_snapshot_position') ?? 0);
        if (file === '' || !(offset > 0)) throw noBinlog();
        return { file, offset, gtid: await this.gtidAt(file, offset) };
      }
      let rows: RowDataPacket[];
      try {
        [rows] = await c.query<RowDataPacket[]>('SHOW BINARY LOG STATUS');
      } catch {
        [rows] = await c.query<RowDataPacket[]>('SHOW MASTER STATUS');
      }
      const r = rows[0];
      if (!r) throw noBinlog();
      return { file: String(r.File), offset: Number(r.Position), gtid: null };
    } catch (err) {
      throw asSourceError(err);
    } finally {
      c.release();
    }
  }

  /** Primary key columns, in key order, of those of `tables` (`database.table`) that have one. */
  async primaryKeys(tables: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (tables.length === 0) return out;
    const rows = await this.#rows(
      `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS t, COLUMN_NAME AS c FROM information_schema.STATISTICS
        WHERE INDEX_NAME = 'PRIMARY' AND CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) IN (?)
        ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX`, [tables]);
    for (const r of rows) {
      const t = String(r.t);
      const list = out.get(t);
      if (list) list.push(String(r.c));
      else out.set(t, [String(r.c)]);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}

function noBinlog(): SyncError {
  return new SyncError('SOURCE_PREFLIGHT', 'the server writes no binlog', {
    exitCode: ExitCode.preflight, hint: 'enable it in my.cnf: `log_bin = mysql-bin` and `binlog_format = ROW`, then restart the server',
  });
}

/** A query failure as the operator should see it. */
function asSourceError(err: unknown): Error {
  if (err instanceof SyncError) return err;
  redactDriverError(err);
  const e = err as { errno?: unknown; message?: string };
  if (e.errno === 1227 || e.errno === 1045 || e.errno === 1044) {
    return new SyncError('SOURCE_PREFLIGHT', `the source refused a query: ${e.message ?? String(err)}`, {
      cause: err, exitCode: ExitCode.preflight,
      hint: 'run `cidaas-sync check`: the user needs REPLICATION SLAVE, REPLICATION CLIENT (MariaDB 10.5+: BINLOG MONITOR) and SELECT on the tables',
    });
  }
  return new SyncError('SOURCE_UNAVAILABLE', `the source did not answer: ${e.message ?? String(err)}${withTlsHint(err, 'source')}`, {
    cause: err, transient: true, hint: 'check source.url (host, port, user) and that the server is up',
  });
}
