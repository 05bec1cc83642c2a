import pg from 'pg';
import { SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';
import { withTlsHint } from '../../src/security/with-tls-hint.js';
import { normalizeLsn } from './lsn.js';
import { waitForVisibility } from './postgres-visibility.js';

/**
 * The ordinary (non-replication) queries of the PostgreSQL adapter, on one query session that also
 * serves as a shutdown sentinel: `onShutdown` hears when the server ends sessions (fast shutdown),
 * so the stream can give its session up too. One query at a time (a pg client takes one at a time).
 */
export class PostgresServer {
  readonly #url: Secret;
  readonly #log: Logger;
  readonly #onShutdown: (err: Error) => void;
  #query: pg.Client | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(url: Secret, log: Logger, onShutdown: (err: Error) => void) {
    this.#url = url;
    this.#log = log;
    this.#onShutdown = onShutdown;
  }

  /** Runs `fn` on the query connection, one caller at a time. */
  withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => fn(await this.connect()));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The primary key columns of each of `tables` (`schema.table`) that has one. */
  async primaryKeys(tables: readonly string[]): Promise<Map<string, readonly string[]>> {
    const pks = await this.withClient((c) => c.query<{ t: string; cols: string[] }>(
      `SELECT n.nspname || '.' || c.relname AS t,
              array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum)) AS cols
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey::int2[])
        WHERE i.indisprimary AND (n.nspname || '.' || c.relname) = ANY($1::text[])
        GROUP BY 1`, [[...tables]]));
    return new Map(pks.rows.map((r) => [r.t, r.cols]));
  }

  /**
   * The WAL position now, taken so that every transaction whose commit record lies before it is
   * visible to reads that start afterwards (see {@link waitForVisibility}).
   */
  currentPosition(): Promise<string> {
    return this.withClient(async (c) => {
      const lsn = (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      await waitForVisibility(c, this.#log);
      return normalizeLsn(lsn);
    });
  }

  /** The slot's confirmed flush position, or undefined when the slot does not exist. */
  async confirmedPosition(slot: string): Promise<string | undefined> {
    const r = await this.withClient((c) => c.query<{ confirmed: string | null }>(
      'SELECT confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1', [slot]));
    return r.rows[0]?.confirmed ?? undefined;
  }

  /** Bytes from the slot's confirmed position and from its restart position to the end of the WAL; nulls without the slot. */
  async slotLag(slot: string): Promise<{ lag: string | null; retained: string | null } | undefined> {
    const r = await this.withClient((c) => c.query<{ lag: string | null; retained: string | null }>(
      `SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag, (pg_current_wal_lsn() - restart_lsn)::text AS retained
         FROM pg_replication_slots WHERE slot_name = $1`, [slot]));
    return r.rows[0];
  }

  /** Opens the query session unless it is open. */
  async connect(): Promise<pg.Client> {
    if (this.#query) return this.#query;
    const c = new pg.Client({ ...pgConnectionConfig(this.#url), application_name: 'cidaas-sync', connectionTimeoutMillis: 10_000 });
    c.on('error', (err) => {
      this.#log.warn('query connection lost', { error: err.message });
      if (this.#query === c) this.#query = null;
      // A fast shutdown ends the normal sessions first (57P01), then waits for every walsender to
      // have its WAL confirmed; paused by backpressure, we would neither read its request nor
      // confirm, and the database would not stop. Give the session up now and reconnect later.
      if ((err as { code?: unknown }).code === '57P01') {
        this.#onShutdown(new Error(`the server ends sessions (shutdown?): ${err.message}`));
      }
    });
    c.on('end', () => {
      if (this.#query === c) this.#query = null;
    });
    try {
      await c.connect();
    } catch (err) {
      throw new SyncError('SOURCE_UNAVAILABLE', `cannot connect to PostgreSQL: ${err instanceof Error ? err.message : String(err)}${withTlsHint(err, 'source')}`, {
        transient: true, cause: err, hint: 'check source.url (host, port, database, role) and that the server is up',
      });
    }
    this.#query = c;
    return c;
  }

  /** Closes the query session. */
  async close(): Promise<void> {
    const q = this.#query;
    this.#query = null;
    await q?.end().catch(() => undefined);
  }
}

/** Who holds the replication slot now, if anyone: the process id and application of its walsender. */
export async function slotHolder(url: Secret, slot: string): Promise<{ pid: number; application: string | null } | null> {
  const c = new pg.Client({ ...pgConnectionConfig(url), connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const r = await c.query<{ pid: number | null; app: string | null }>(
      `SELECT s.active_pid AS pid, a.application_name AS app
         FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
        WHERE s.slot_name = $1`, [slot]);
    const row = r.rows[0];
    return row?.pid ? { pid: row.pid, application: row.app } : null;
  } finally {
    await c.end();
  }
}

/** Drops the replication slot so the server keeps no more WAL for it. True when it existed. */
export async function dropReplicationSlot(url: Secret, slot: string): Promise<boolean> {
  const c = new pg.Client({ ...pgConnectionConfig(url), connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const r = await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return (r.rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}
