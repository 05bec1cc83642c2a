import type pg from 'pg';
import { ExitCode, SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import type { Source, SourceHandler, SourceLag } from '../../src/source.js';
import type { HeartbeatOptions, HeartbeatWriter } from '../heartbeat-writer.js';
import { createSlotSql, enableFailover, failoverSlotUnsupported } from './failover-slot.js';
import { compareLsn, normalizeLsn, parseLsn } from './lsn.js';
import { postgresHeartbeat } from './postgres-heartbeat.js';
import { quoteIdent, quoteQualified } from './postgres-identifiers.js';
import { positionLost } from './replication-errors.js';
import { PostgresServer } from './postgres-server.js';
import { PostgresStream } from './postgres-stream.js';

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
  /** Runs before every (re)connect; a throw (high availability: the lease is lost) stops the stream instead. */
  readonly beforeConnect?: () => void;
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
 * shutdown sentinel (see {@link PostgresServer}).
 */
export class PostgresSource implements Source {
  readonly kind = 'postgres';
  readonly #o: PostgresSourceOptions;
  readonly #log: Logger;
  readonly #tables: Set<string>;
  readonly #stream: PostgresStream;
  readonly #server: PostgresServer;
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
      ...(options.beforeConnect ? { beforeConnect: options.beforeConnect } : {}),
      // Keep the shutdown sentinel open while streaming.
      onStreaming: () => void this.#server.connect().catch(() => undefined),
    });
    this.#server = new PostgresServer(options.url, this.#log, (err) => this.#stream.interrupt(err));
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

  async prepare(): Promise<void> {
    await this.#server.withClient((c) => this.#prepare(c));
    this.#primaryKeys = await this.#server.primaryKeys([...this.#tables]);
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
  }

  /** The WAL position now, every transaction committed before it visible to later reads (see PostgresServer). */
  currentPosition(): Promise<string> {
    return this.#server.currentPosition();
  }

  async start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void> {
    if (this.#stream.active) throw new Error('PostgresSource.start() while already streaming');
    const confirmedText = await this.#server.confirmedPosition(this.#o.slot);
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
    const row = await this.#server.slotLag(this.#o.slot);
    return {
      bytes: row?.lag != null ? Math.max(0, Number(row.lag)) : null,
      retainedBytes: row?.retained != null ? Math.max(0, Number(row.retained)) : null,
    };
  }

  async stop(): Promise<void> {
    await this.#heartbeat?.stop();
    await this.#stream.stop();
    await this.#server.close();
  }
}
