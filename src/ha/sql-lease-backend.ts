import mysql from 'mysql2/promise';
import pg from 'pg';
import type { StateStoreLocation } from '../state/state-store-url.js';
import type { LeaseBackend, LeaseIdentity, LeaseRow } from './lease-backend.js';

/** The lease table, beside the other `cidaas_sync_*` tables of the state store. */
export const LEASE_TABLE = 'cidaas_sync_lease';
const ROW = 'main';

interface RawRow {
  token: string | number;
  holder: string | null;
  host: string | null;
  pid: number | string | null;
  age_ms: number | string | null;
  renewed_ms_ago: number | string | null;
  expires_in_ms: number | string;
}

function toRow(r: RawRow): LeaseRow {
  const num = (v: number | string | null): number | null => (v === null ? null : Math.round(Number(v)));
  const held = r.holder !== null;
  return {
    token: String(r.token), holder: r.holder, host: r.host, pid: num(r.pid),
    ageMs: held ? num(r.age_ms) : null, renewedMsAgo: held ? num(r.renewed_ms_ago) : null, expiresInMs: num(r.expires_in_ms) ?? 0,
  };
}

/** A table that does not exist yet: PostgreSQL 42P01, MySQL ER_NO_SUCH_TABLE. */
function noTable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown };
  return e.code === '42P01' || e.errno === 1146;
}

/** The lease on PostgreSQL: one connection of its own, so a busy state store pool never delays a renewal. */
class PostgresLeaseBackend implements LeaseBackend {
  readonly #pool: pg.Pool;
  readonly fenceSql = `SELECT token::text AS token, holder FROM ${LEASE_TABLE} WHERE name = '${ROW}' FOR SHARE`;

  constructor(url: string, timeoutMs: number) {
    this.#pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'cidaas-sync lease' });
    // A dropped idle connection is replaced at the next query; the keeper reports failures.
    this.#pool.on('error', () => undefined);
  }

  async prepare(): Promise<void> {
    const ddl = `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
      name varchar(64) PRIMARY KEY, token bigint NOT NULL, holder varchar(191), host varchar(255), pid integer,
      acquired_at timestamptz, renewed_at timestamptz, expires_at timestamptz NOT NULL)`;
    try {
      await this.#pool.query(ddl);
    } catch (err) {
      // Two replicas creating it at once: one wins, the other sees a duplicate type; the table is there.
      if ((err as { code?: unknown }).code !== '23505') throw err;
    }
    await this.#pool.query(`INSERT INTO ${LEASE_TABLE} (name, token, expires_at) VALUES ($1, 0, to_timestamp(0)) ON CONFLICT (name) DO NOTHING`, [ROW]);
  }

  async tryAcquire(me: LeaseIdentity, durationMs: number, force = false): Promise<string | null> {
    const r = await this.#pool.query<{ token: string }>(
      `UPDATE ${LEASE_TABLE} SET token = token + 1, holder = $2, host = $3, pid = $4,
         acquired_at = clock_timestamp(), renewed_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => $5::float8 / 1000)
       WHERE name = $1 ${force ? '' : 'AND (holder IS NULL OR expires_at < clock_timestamp())'} RETURNING token::text AS token`,
      [ROW, me.holder, me.host, me.pid, durationMs]);
    return r.rows[0]?.token ?? null;
  }

  async renew(me: LeaseIdentity, token: string, durationMs: number): Promise<boolean> {
    const r = await this.#pool.query(
      `UPDATE ${LEASE_TABLE} SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => $4::float8 / 1000)
       WHERE name = $1 AND holder = $2 AND token = $3::bigint`, [ROW, me.holder, token, durationMs]);
    return r.rowCount === 1;
  }

  async release(me: LeaseIdentity, token: string): Promise<void> {
    await this.#pool.query(`UPDATE ${LEASE_TABLE} SET holder = NULL, host = NULL, pid = NULL, expires_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND token = $3::bigint`,
      [ROW, me.holder, token]);
  }

  async read(): Promise<LeaseRow | null> {
    try {
      const r = await this.#pool.query<RawRow>(
        `SELECT token::text AS token, holder, host, pid,
           extract(epoch FROM clock_timestamp() - acquired_at) * 1000 AS age_ms,
           extract(epoch FROM clock_timestamp() - renewed_at) * 1000 AS renewed_ms_ago,
           extract(epoch FROM expires_at - clock_timestamp()) * 1000 AS expires_in_ms
         FROM ${LEASE_TABLE} WHERE name = $1`, [ROW]);
      return r.rows[0] ? toRow(r.rows[0]) : null;
    } catch (err) {
      if (noTable(err)) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/**
 * The lease on MySQL/MariaDB. Times are UTC_TIMESTAMP(3), independent of the session time zone.
 * `LAST_INSERT_ID(token + 1)` hands the new token back in the UPDATE's own answer.
 */
class MysqlLeaseBackend implements LeaseBackend {
  readonly #pool: mysql.Pool;
  readonly #timeoutMs: number;
  readonly fenceSql = `SELECT CAST(token AS CHAR) AS token, holder FROM ${LEASE_TABLE} WHERE name = '${ROW}' LOCK IN SHARE MODE`;

  constructor(loc: Extract<StateStoreLocation, { kind: 'mysql' }>, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#pool = mysql.createPool({
      host: loc.host, port: loc.port, user: loc.username, password: loc.password, database: loc.database,
      connectionLimit: 1, connectTimeout: timeoutMs, supportBigNumbers: true, bigNumberStrings: true,
      ...(loc.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
    });
  }

  async #exec(sql: string, params: unknown[]): Promise<mysql.ResultSetHeader> {
    const [r] = await this.#pool.query<mysql.ResultSetHeader>({ sql, timeout: this.#timeoutMs }, params);
    return r;
  }

  async prepare(): Promise<void> {
    await this.#exec(`CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
      name VARCHAR(64) NOT NULL PRIMARY KEY, token BIGINT NOT NULL, holder VARCHAR(191) NULL, host VARCHAR(255) NULL, pid INT NULL,
      acquired_at DATETIME(3) NULL, renewed_at DATETIME(3) NULL, expires_at DATETIME(3) NOT NULL) ENGINE=InnoDB`, []);
    await this.#exec(`INSERT IGNORE INTO ${LEASE_TABLE} (name, token, expires_at) VALUES (?, 0, '1970-01-02 00:00:00')`, [ROW]);
  }

  async tryAcquire(me: LeaseIdentity, durationMs: number, force = false): Promise<string | null> {
    const r = await this.#exec(
      `UPDATE ${LEASE_TABLE} SET token = LAST_INSERT_ID(token + 1), holder = ?, host = ?, pid = ?,
         acquired_at = UTC_TIMESTAMP(3), renewed_at = UTC_TIMESTAMP(3), expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND
       WHERE name = ? ${force ? '' : 'AND (holder IS NULL OR expires_at < UTC_TIMESTAMP(3))'}`,
      [me.holder, me.host, me.pid, Math.round(durationMs * 1000), ROW]);
    return r.affectedRows === 1 ? String(r.insertId) : null;
  }

  async renew(me: LeaseIdentity, token: string, durationMs: number): Promise<boolean> {
    const r = await this.#exec(
      `UPDATE ${LEASE_TABLE} SET renewed_at = UTC_TIMESTAMP(3), expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND
       WHERE name = ? AND holder = ? AND token = ?`, [Math.round(durationMs * 1000), ROW, me.holder, token]);
    return r.affectedRows === 1;
  }

  async release(me: LeaseIdentity, token: string): Promise<void> {
    await this.#exec(`UPDATE ${LEASE_TABLE} SET holder = NULL, host = NULL, pid = NULL, expires_at = UTC_TIMESTAMP(3) WHERE name = ? AND holder = ? AND token = ?`,
      [ROW, me.holder, token]);
  }

  async read(): Promise<LeaseRow | null> {
    try {
      const [rows] = await this.#pool.query<(RawRow & mysql.RowDataPacket)[]>({
        sql: `SELECT CAST(token AS CHAR) AS token, holder, host, pid,
           TIMESTAMPDIFF(MICROSECOND, acquired_at, UTC_TIMESTAMP(3)) / 1000 AS age_ms,
           TIMESTAMPDIFF(MICROSECOND, renewed_at, UTC_TIMESTAMP(3)) / 1000 AS renewed_ms_ago,
           TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), expires_at) / 1000 AS expires_in_ms
         FROM ${LEASE_TABLE} WHERE name = ?`, timeout: this.#timeoutMs }, [ROW]);
      return rows[0] ? toRow(rows[0]) : null;
    } catch (err) {
      if (noTable(err)) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** The lease backend for a PostgreSQL or MySQL/MariaDB state store (SQLite uses a file lock instead). */
export function sqlLeaseBackend(loc: Exclude<StateStoreLocation, { kind: 'sqlite' }>, timeoutMs: number): LeaseBackend {
  return loc.kind === 'postgres' ? new PostgresLeaseBackend(loc.url, timeoutMs) : new MysqlLeaseBackend(loc, timeoutMs);
}
