import type mysql from 'mysql2/promise';
import { nodeTlsOptions, type DatabaseTls } from '../security/database-tls.js';
import { mysqlStateTls } from '../state/state-data-source.js';
import pg from 'pg';
import type { StateStoreLocation } from '../state/state-store-url.js';
import type { LeaseBackend, LeaseIdentity, LeaseRow } from './lease-backend.js';

/**
 * The lease table, beside the other `cidaas_sync_*` tables of the state store. Two rows:
 * `main` holds the fencing token and the holder and changes only when the lease changes hands;
 * every fenced write reads it under a shared lock. `renewal` holds the expiry and changes with
 * every renewal, so renewing never waits for the holder's own writes. Taking the lease locks
 * `renewal` first, then updates `main`, which waits until no fenced write of the old holder is
 * still open: once the new token is in, nothing the old holder writes can commit.
 */
export const LEASE_TABLE = 'cidaas_sync_lease';

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

/** One statement runner: rows for a SELECT, the affected count otherwise. */
interface Tx {
  rows<T>(sql: string, params: unknown[]): Promise<T[]>;
  affected(sql: string, params: unknown[]): Promise<number>;
}

/** The lease's own connection (a pool of one), so a busy state store pool never delays a renewal. */
interface LeaseConnection {
  /** Statements on the pool, outside a transaction. */
  readonly pool: Tx;
  /** A connection of its own for a transaction; `release(true)` drops it instead of reusing it. */
  connect(): Promise<{ readonly tx: Tx; release(broken: boolean): void }>;
  end(): Promise<void>;
}

/** What differs between the databases: SQL text and how to connect. */
interface Dialect {
  /** `expr` milliseconds from now. */
  plusMs(param: string): string;
  msSince(column: string): string;
  msUntil(column: string): string;
  readonly now: string;
  readonly ddl: string;
  readonly seed: string;
  readonly p: (n: number) => string;
  readonly tokenText: string;
  readonly begin: string;
  /** The statement a fenced write runs first (see {@link LeaseBackend.fenceSql}). */
  fenceSql(leaseMs: number): string;
  /** The statement a fenced write runs before it, once the server is known (after prepare); null: none. */
  fencePrelude?(pool: Tx, leaseMs: number): Promise<string | null>;
}

const PG: Dialect = {
  now: 'clock_timestamp()',
  plusMs: (p) => `clock_timestamp() + make_interval(secs => ${p}::float8 / 1000)`,
  msSince: (c) => `extract(epoch FROM clock_timestamp() - ${c}) * 1000`,
  msUntil: (c) => `extract(epoch FROM ${c} - clock_timestamp()) * 1000`,
  ddl: `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
    name varchar(64) PRIMARY KEY, token bigint NOT NULL, holder varchar(191), host varchar(255), pid integer,
    acquired_at timestamptz, renewed_at timestamptz, expires_at timestamptz NOT NULL)`,
  seed: `INSERT INTO ${LEASE_TABLE} (name, token, expires_at) VALUES ('main', 0, to_timestamp(0)), ('renewal', 0, to_timestamp(0)) ON CONFLICT (name) DO NOTHING`,
  p: (n) => `$${n}`,
  tokenText: 'token::text',
  begin: 'BEGIN',
  // A holder paused inside a fenced write would hold its lock, and with it any takeover, for as
  // long as it stays paused: PostgreSQL ends such a session after a lease's time idle in it.
  fenceSql: (leaseMs) => `SELECT token::text AS token, holder, set_config('idle_in_transaction_session_timeout', '${Math.ceil(leaseMs)}', true) AS idle_limit
      FROM ${LEASE_TABLE} WHERE name = 'main' FOR SHARE`,
};

/** MySQL/MariaDB. Times are UTC_TIMESTAMP(3), independent of the session time zone. */
const MY: Dialect = {
  now: 'UTC_TIMESTAMP(3)',
  plusMs: (p) => `UTC_TIMESTAMP(3) + INTERVAL (${p} * 1000) MICROSECOND`,
  msSince: (c) => `TIMESTAMPDIFF(MICROSECOND, ${c}, UTC_TIMESTAMP(3)) / 1000`,
  msUntil: (c) => `TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), ${c}) / 1000`,
  ddl: `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
    name VARCHAR(64) NOT NULL PRIMARY KEY, token BIGINT NOT NULL, holder VARCHAR(191) NULL, host VARCHAR(255) NULL, pid INT NULL,
    acquired_at DATETIME(3) NULL, renewed_at DATETIME(3) NULL, expires_at DATETIME(3) NOT NULL) ENGINE=InnoDB`,
  seed: `INSERT IGNORE INTO ${LEASE_TABLE} (name, token, expires_at) VALUES ('main', 0, '1970-01-02 00:00:00'), ('renewal', 0, '1970-01-02 00:00:00')`,
  p: () => '?',
  tokenText: 'CAST(token AS CHAR)',
  begin: 'START TRANSACTION',
  fenceSql: () => `SELECT CAST(token AS CHAR) AS token, holder FROM ${LEASE_TABLE} WHERE name = 'main' LOCK IN SHARE MODE`,
  // A holder paused inside a fenced write would hold its lock, and with it any takeover, for as
  // long as it stays paused. MariaDB ends such a session after idle_transaction_timeout (a session
  // setting that touches only connections idle inside a transaction); MySQL has none.
  fencePrelude: async (pool, leaseMs) => {
    const rows = await pool.rows<{ v: unknown }>('SELECT VERSION() AS v', []);
    return /mariadb/i.test(String(rows[0]?.v ?? '')) ? `SET SESSION idle_transaction_timeout = ${Math.max(1, Math.ceil(leaseMs / 1000))}` : null;
  },
};

/** The lease operations of PostgreSQL and MySQL/MariaDB: the same statements, in each one's {@link Dialect}. */
class SqlLeaseBackend implements LeaseBackend {
  readonly #d: Dialect;
  readonly #c: LeaseConnection;
  readonly #leaseMs: number;
  readonly fenceSql: string;
  fencePrelude: string | null = null;

  constructor(d: Dialect, c: LeaseConnection, leaseMs: number) {
    this.#d = d;
    this.#c = c;
    this.#leaseMs = leaseMs;
    this.fenceSql = d.fenceSql(leaseMs);
  }

  /** Runs `fn` in one transaction on the lease connection; a connection that cannot roll back is dropped. */
  async #tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    const c = await this.#c.connect();
    let broken = false;
    try {
      await c.tx.affected(this.#d.begin, []);
      const out = await fn(c.tx);
      await c.tx.affected('COMMIT', []);
      return out;
    } catch (err) {
      await c.tx.affected('ROLLBACK', []).catch(() => { broken = true; });
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async prepare(): Promise<void> {
    const t = this.#c.pool;
    try {
      await t.affected(this.#d.ddl, []);
    } catch (err) {
      // Two replicas creating it at once (PostgreSQL): one wins, the other sees a duplicate type.
      if ((err as { code?: unknown }).code !== '23505') throw err;
    }
    await t.affected(this.#d.seed, []);
    this.fencePrelude = (await this.#d.fencePrelude?.(t, this.#leaseMs)) ?? null;
  }

  async tryAcquire(me: LeaseIdentity, durationMs: number, force = false): Promise<string | null> {
    const d = this.#d;
    const p = d.p;
    return this.#tx(async (t) => {
      const free = await t.rows<{ free: number | boolean | string }>(
        `SELECT CASE WHEN holder IS NULL OR expires_at < ${d.now} THEN 1 ELSE 0 END AS free FROM ${LEASE_TABLE} WHERE name = 'renewal' FOR UPDATE`, []);
      if (!force && Number(free[0]?.free ?? 0) !== 1) return null;
      // Waits for the fenced writes still open under the old token; none commits after this.
      await t.affected(`UPDATE ${LEASE_TABLE} SET token = token + 1, holder = ${p(1)}, host = ${p(2)}, pid = ${p(3)}, acquired_at = ${d.now} WHERE name = 'main'`,
        [me.holder, me.host, me.pid]);
      const row = await t.rows<{ token: string | number }>(`SELECT ${d.tokenText} AS token FROM ${LEASE_TABLE} WHERE name = 'main'`, []);
      const token = String(row[0]!.token);
      await t.affected(`UPDATE ${LEASE_TABLE} SET token = ${p(1)}, holder = ${p(2)}, renewed_at = ${d.now}, expires_at = ${d.plusMs(p(3))} WHERE name = 'renewal'`,
        [token, me.holder, durationMs]);
      return token;
    });
  }

  async renew(me: LeaseIdentity, token: string, durationMs: number): Promise<boolean> {
    const d = this.#d;
    const p = d.p;
    return (await this.#c.pool.affected(
      `UPDATE ${LEASE_TABLE} SET renewed_at = ${d.now}, expires_at = ${d.plusMs(p(1))} WHERE name = 'renewal' AND holder = ${p(2)} AND token = ${p(3)}`,
      [durationMs, me.holder, token])) === 1;
  }

  async release(me: LeaseIdentity, token: string): Promise<void> {
    const d = this.#d;
    const p = d.p;
    await this.#tx(async (t) => {
      const n = await t.affected(`UPDATE ${LEASE_TABLE} SET holder = NULL, expires_at = ${d.now} WHERE name = 'renewal' AND holder = ${p(1)} AND token = ${p(2)}`, [me.holder, token]);
      if (n === 1) await t.affected(`UPDATE ${LEASE_TABLE} SET holder = NULL, host = NULL, pid = NULL WHERE name = 'main' AND holder = ${p(1)} AND token = ${p(2)}`, [me.holder, token]);
    });
  }

  async read(): Promise<LeaseRow | null> {
    const d = this.#d;
    try {
      const rows = await this.#c.pool.rows<RawRow>(
        `SELECT ${d.tokenText.replace('token', 'm.token')} AS token, r.holder AS holder, m.host AS host, m.pid AS pid,
           ${d.msSince('m.acquired_at')} AS age_ms, ${d.msSince('r.renewed_at')} AS renewed_ms_ago, ${d.msUntil('r.expires_at')} AS expires_in_ms
         FROM ${LEASE_TABLE} m JOIN ${LEASE_TABLE} r ON r.name = 'renewal' WHERE m.name = 'main'`, []);
      return rows[0] ? toRow(rows[0]) : null;
    } catch (err) {
      if (noTable(err)) return null;
      throw err;
    }
  }

  close(): Promise<void> {
    return this.#c.end();
  }
}

function postgresConnection(url: string, timeoutMs: number, tls: DatabaseTls | undefined): LeaseConnection {
  const pool = new pg.Pool({
    connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'cidaas-sync lease',
    ...(tls === undefined ? {} : { ssl: nodeTlsOptions(tls) ?? false }),
  });
  // A dropped idle connection is replaced at the next query; the keeper reports failures.
  pool.on('error', () => undefined);
  const tx = (c: pg.PoolClient | pg.Pool): Tx => ({
    rows: async <T>(sql: string, params: unknown[]) => (await c.query(sql, params)).rows as T[],
    affected: async (sql: string, params: unknown[]) => (await c.query(sql, params)).rowCount ?? 0,
  });
  return {
    pool: tx(pool),
    connect: async () => {
      const c = await pool.connect();
      return { tx: tx(c), release: (broken) => c.release(broken) };
    },
    end: () => pool.end(),
  };
}

function mysqlConnection(loc: Extract<StateStoreLocation, { kind: 'mysql' }>, timeoutMs: number): LeaseConnection {
  const options: mysql.PoolOptions = {
    host: loc.host, port: loc.port, user: loc.username, password: loc.password, database: loc.database,
    connectionLimit: 1, connectTimeout: timeoutMs, supportBigNumbers: true, bigNumberStrings: true,
    ...mysqlStateTls(loc),
  };
  // mysql2 loads with the first query: a sidecar whose state store is not MySQL never loads it.
  let poolPromise: Promise<mysql.Pool> | null = null;
  const pool = (): Promise<mysql.Pool> => (poolPromise ??= import('mysql2/promise').then((m) => m.default.createPool(options)));
  const tx = (c: mysql.Pool | mysql.PoolConnection): Tx => ({
    rows: async <T>(sql: string, params: unknown[]) => (await c.query<mysql.RowDataPacket[]>({ sql, timeout: timeoutMs }, params))[0] as T[],
    affected: async (sql: string, params: unknown[]) => {
      const [r] = await c.query<mysql.ResultSetHeader>({ sql, timeout: timeoutMs }, params);
      return r.affectedRows ?? 0;
    },
  });
  return {
    pool: {
      rows: async <T>(sql: string, params: unknown[]) => tx(await pool()).rows<T>(sql, params),
      affected: async (sql: string, params: unknown[]) => tx(await pool()).affected(sql, params),
    },
    connect: async () => {
      const c = await (await pool()).getConnection();
      return { tx: tx(c), release: (broken) => (broken ? c.destroy() : c.release()) };
    },
    end: async () => { if (poolPromise) await (await poolPromise).end(); },
  };
}

/** The lease backend for a PostgreSQL or MySQL/MariaDB state store (SQLite uses a file lock instead). */
export function sqlLeaseBackend(loc: Exclude<StateStoreLocation, { kind: 'sqlite' }>, timeoutMs: number, leaseMs = 15_000): LeaseBackend {
  return loc.kind === 'postgres'
    ? new SqlLeaseBackend(PG, postgresConnection(loc.url, timeoutMs, loc.tls), leaseMs)
    : new SqlLeaseBackend(MY, mysqlConnection(loc, timeoutMs), leaseMs);
}
