import pg from 'pg';
import { ExitCode, SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import type { Source, SourceHandler, SourceLag } from '../../src/source.js';
import type { HeartbeatOptions, HeartbeatWriter } from '../heartbeat-writer.js';
import { createSlotSql, enableFailover, failoverSlotUnsupported } from './failover-slot.js';
import { compareLsn, normalizeLsn, parseLsn } from './lsn.js';
import { postgresHeartbeat } from './postgres-heartbeat.js';
import { quoteIdent, quoteQualified } from './postgres-identifiers.js';
import { waitForVisibility } from './postgres-visibility.js';
import { positionLost } from './replication-errors.js';
import { PostgresStream } from './postgres-stream.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';
import { withTlsHint } from '../../src/security/with-tls-hint.js';

export { quoteIdent, quoteQualified } from './postgres-identifiers.js';

/** What {@link PostgresSource} connects to and how it paces itself. */
export interface PostgresSourceOptions {
  /** Connection URL of a role with REPLICATION and SELECT. */
  readonly url: Secret;
  readonly slot: string;
  readonly publication: string;
  /** The configured tables, schema-qualified (`public.users`): changes on others are not delivered. */
  readonly tables: readonly string[];
  readonly logger: Logger;
  /** How often a standby status update goes out, paused or not (default 10 s, well below `wal_sender_timeout`). */
  readonly statusIntervalMs?: number;
  /** Reconnect backoff bounds (default 500 ms .. 30 s). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /**
   * `source.heartbeat` with a table: write to it every interval while streaming, so that the WAL,
   * and with it our idle position, moves on when nothing else writes (see postgres-heartbeat.ts for
   * the table's DDL; it must not be in the publication).
   */
  readonly heartbeat?: HeartbeatOptions;
  /**
   * `source.failoverSlot`: create the slot with FAILOVER (and turn it on for an existing one), so
   * it is synchronized to standbys and survives a promotion. PostgreSQL 17+; refused before.
   */
  readonly failoverSlot?: boolean;
}

/**
 * PostgreSQL logical replication (pgoutput, protocol 1) through pg-logical-replication 2.5.0, used as
 * its traps require (see {@link PostgresStream} and replication-connection.ts):
 * manual acknowledgement with the library's timer off, our own status updates (also while paused), a
 * new service instance with an explicit start position on every (re)connect, handler calls that
 * never overlap and never throw into the library, our own reconnect.
 *
 * Positions are commit end LSNs (and keepalive positions): streaming from one delivers exactly the
 * transactions whose commit record starts at or after it. The query session also serves as a
 * shutdown sentinel (see #client).
 */
export class PostgresSource implements Source {
  readonly kind = 'postgres';
  readonly #o: PostgresSourceOptions;
  readonly #log: Logger;
  readonly #tables: Set<string>;
  readonly #stream: PostgresStream;
  #query: pg.Client | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #primaryKeys = new Map<string, readonly string[]>();
  readonly #heartbeat: HeartbeatWriter | null;

  constructor(options: PostgresSourceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'postgres-source' });
    this.#tables = new Set(options.tables);
    this.#stream = new PostgresStream({
      url: options.url,
      slot: options.slot,
      publication: options.publication,
      tables: this.#tables,
      primaryKeys: () => this.#primaryKeys,
      logger: this.#log,
      ...(options.statusIntervalMs !== undefined ? { statusIntervalMs: options.statusIntervalMs } : {}),
      ...(options.reconnectMinMs !== undefined ? { reconnectMinMs: options.reconnectMinMs } : {}),
      ...(options.reconnectMaxMs !== undefined ? { reconnectMaxMs: options.reconnectMaxMs } : {}),
      // Keep the shutdown sentinel open while streaming.
      onStreaming: () => void this.#client().catch(() => undefined),
    });
    this.#heartbeat = options.heartbeat ? postgresHeartbeat(options.url, options.heartbeat, this.#log) : null;
  }

  /** Heartbeat rows written so far (0 without `heartbeat`). */
  get heartbeats(): number {
    return this.#heartbeat?.beats ?? 0;
  }

  comparePositions(a: string, b: string): number {
    return compareLsn(a, b);
  }

  /** Messages received from the server and not yet handed to the handler (for metrics); flow control keeps it small. */
  bufferedMessages(): number {
    return this.#stream.bufferedMessages;
  }

  prepare(): Promise<void> {
    return this.#withClient((c) => this.#prepare(c));
  }

  async #prepare(c: pg.Client): Promise<void> {
    const pub = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [this.#o.publication]);
    if (pub.rowCount === 0) {
      throw new SyncError('SOURCE_PREFLIGHT', `publication "${this.#o.publication}" does not exist, so the log carries no changes for us`, {
        hint: `run \`cidaas-sync check --fix\`, or as the tables' owner: CREATE PUBLICATION ${quoteIdent(this.#o.publication)} FOR TABLE ${this.#o.tables.map(quoteQualified).join(', ')};`,
        exitCode: ExitCode.preflight,
      });
    }
    const failover = this.#o.failoverSlot === true;
    if (failover) {
      const v = (await c.query<{ v: string; n: number }>("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n")).rows[0]!;
      const refusal = failoverSlotUnsupported(v.v, v.n);
      if (refusal) throw refusal;
    }
    // The failover column exists from PostgreSQL 17 on, where failoverSlot may be set.
    const slot = await c.query<{ plugin: string | null; database: string | null; failover: boolean | null }>(
      `SELECT plugin, database, ${failover ? 'failover' : 'NULL::boolean AS failover'} FROM pg_replication_slots WHERE slot_name = $1`, [this.#o.slot]);
    const existing = slot.rows[0];
    if (!existing) {
      // Two-phase decoding stays off: a prepared transaction is delivered at COMMIT PREPARED, like any other.
      await c.query(createSlotSql(failover), [this.#o.slot]);
      this.#log.info('replication slot created', { slot: this.#o.slot, failover });
    } else {
      const db = (await c.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
      if (existing.plugin !== 'pgoutput' || existing.database !== db) {
        throw new SyncError('SOURCE_PREFLIGHT', `replication slot "${this.#o.slot}" belongs to ${existing.plugin ?? 'physical replication'} on database ${existing.database ?? '-'}, not to pgoutput on ${db}`, {
          hint: `choose another source.slot, or drop it if nothing uses it: SELECT pg_drop_replication_slot('${this.#o.slot}');`,
          exitCode: ExitCode.preflight,
        });
      }
      if (failover && existing.failover === false) {
        await enableFailover(this.#o.url.reveal(), this.#o.slot);
        this.#log.info('replication slot made a failover slot', { slot: this.#o.slot });
      }
    }
    const pks = await c.query<{ t: string; cols: string[] }>(
      `SELECT n.nspname || '.' || c.relname AS t,
              array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum)) AS cols
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey::int2[])
        WHERE i.indisprimary AND (n.nspname || '.' || c.relname) = ANY($1::text[])
        GROUP BY 1`, [[...this.#tables]]);
    this.#primaryKeys = new Map(pks.rows.map((r) => [r.t, r.cols]));
  }

  /**
   * The WAL position now, taken so that every transaction whose commit record lies before it is
   * visible to reads that start afterwards (see {@link waitForVisibility}).
   */
  currentPosition(): Promise<string> {
    return this.#withClient(async (c) => {
      const lsn = (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      await waitForVisibility(c, this.#log);
      return normalizeLsn(lsn);
    });
  }

  async start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void> {
    if (this.#stream.active) throw new Error('PostgresSource.start() while already streaming');
    const slot = await this.#withClient((c) => c.query<{ confirmed: string | null }>(
      'SELECT confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1', [this.#o.slot]));
    const confirmedText = slot.rows[0]?.confirmed;
    if (!confirmedText) throw positionLost(`replication slot "${this.#o.slot}" does not exist (dropped?), so the changes since the checkpoint are gone`);
    const confirmed = parseLsn(confirmedText);
    let at = confirmed;
    if (from !== null) {
      at = parseLsn(from);
      // Only our acknowledgements of checkpointed positions move the slot, so a slot ahead of the
      // checkpoint was recreated or advanced by someone else: the server would skip the gap silently.
      if (at < confirmed) {
        throw positionLost(`the checkpoint ${normalizeLsn(from)} is behind the confirmed position ${normalizeLsn(confirmedText)} of replication slot "${this.#o.slot}" (slot recreated or advanced by another consumer?)`);
      }
    }
    const heartbeat = this.#heartbeat;
    await this.#stream.start(at, handler, (err) => {
      void heartbeat?.stop();
      onError(err);
    });
    heartbeat?.start();
  }

  async acknowledge(position: string): Promise<void> {
    this.#stream.acknowledge(parseLsn(position));
  }

  async lag(): Promise<SourceLag> {
    const r = await this.#withClient((c) => c.query<{ lag: string | null; retained: string | null }>(
      `SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag, (pg_current_wal_lsn() - restart_lsn)::text AS retained
         FROM pg_replication_slots WHERE slot_name = $1`, [this.#o.slot]));
    const row = r.rows[0];
    return {
      bytes: row?.lag != null ? Math.max(0, Number(row.lag)) : null,
      retainedBytes: row?.retained != null ? Math.max(0, Number(row.retained)) : null,
    };
  }

  async stop(): Promise<void> {
    await this.#heartbeat?.stop();
    await this.#stream.stop();
    const q = this.#query;
    this.#query = null;
    await q?.end().catch(() => undefined);
  }

  /** Runs `fn` on the query connection, one caller at a time (a pg client takes one query at a time). */
  #withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => fn(await this.#client()));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #client(): Promise<pg.Client> {
    if (this.#query) return this.#query;
    const c = new pg.Client({ ...pgConnectionConfig(this.#o.url), application_name: 'cidaas-sync', connectionTimeoutMillis: 10_000 });
    c.on('error', (err) => {
      this.#log.warn('query connection lost', { error: err.message });
      if (this.#query === c) this.#query = null;
      // A fast shutdown ends the normal sessions first (57P01), then waits for every walsender to
      // have its WAL confirmed; paused by backpressure, we would neither read its request nor
      // confirm, and the database would not stop. Give the session up now and reconnect later.
      if ((err as { code?: unknown }).code === '57P01') {
        this.#stream.interrupt(new Error(`the server ends sessions (shutdown?): ${err.message}`));
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
}
