import ZongJi from '@vlasky/zongji';
import type { AnyBinlogEvent } from '@vlasky/zongji';
import { SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import type { SourceHandler } from '../../src/source.js';
import { ReconnectBackoff } from '../reconnect-backoff.js';
import { classifyBinlogError } from './binlog-errors.js';
import type { BinlogPosition } from './binlog-position.js';
import { formatBinlogPosition } from './binlog-position.js';
import { planResume } from './binlog-resume.js';
import { BinlogTransactions } from './binlog-transactions.js';
import type { BinlogTables } from './binlog-transactions.js';
import { FlowQueue } from './flow-queue.js';
import { mysqlConnectionOptions, SESSION_TIME_ZONE_SQL, splitMysqlTable } from './mysql-connection-options.js';
import type { MysqlServer, MysqlServerInfo } from './mysql-server.js';
import { countTableLookups, stopZongji, ZONGJI_EVENTS } from './zongji-control.js';

/** What a {@link MysqlStream} reads and how it paces itself. */
export interface MysqlStreamOptions {
  readonly url: Secret;
  /** Our replica id: unique among the server's replicas (a second stream with it disconnects the first). */
  readonly serverId: number;
  /** The configured tables, `database.table`: changes on others are not delivered. */
  readonly tables: readonly string[];
  /** The ordinary queries, for where to resume. */
  readonly server: MysqlServer;
  readonly logger: Logger;
  /** How often the server sends a heartbeat while it has nothing else to send (default 5 s). */
  readonly heartbeatMs?: number;
  /** Events read ahead of the handler before the socket is paused (default 500). */
  readonly maxQueuedEvents?: number;
  /** Reconnect backoff bounds (default 500 ms .. 30 s). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** The last acknowledged position: where every (re)connect resumes. */
  readonly acknowledged: () => BinlogPosition;
  /**
   * Runs just before every (re)connect; a throw stops the stream for good instead (high
   * availability: a replica that lost its lease must not connect again: with the shared server id
   * its dump would cut off the new holder's).
   */
  readonly beforeConnect?: () => void;
  /** Streaming stopped for good (a fatal error or stop): whatever runs beside the stream stops too. */
  readonly onHalt?: () => void;
}

/** An entry of the queue between zongji and the handler; the queue keeps stream changes in log order. */
type QueueItem =
  | { readonly kind: 'event'; readonly generation: number; readonly event: AnyBinlogEvent }
  | { readonly kind: 'abort' }
  | { readonly kind: 'stream'; readonly transactions: BinlogTransactions };

/**
 * The reconnecting binlog reader behind {@link MysqlSource}: a new zongji instance streams from the
 * last acknowledged position after every failure (our own reconnect loop with backoff), events
 * wait in a bounded queue whose fill pauses the dump socket, a watchdog declares a stream dead
 * that sent nothing for three heartbeat periods, and abort() goes to the handler for a transaction
 * cut by a lost connection.
 */
export class MysqlStream {
  readonly #o: MysqlStreamOptions;
  readonly #log: Logger;
  #info: MysqlServerInfo | null = null;
  #tables: BinlogTables = { names: new Set(), primaryKeys: new Map() };
  #handler: SourceHandler | null = null;
  #onError: ((err: Error) => void) | null = null;
  #zongji: ZongJi | null = null;
  #generation = 0;
  #stopping = false;
  readonly #queue: FlowQueue<QueueItem>;
  #transactions: BinlogTransactions | null = null;
  #lastEventAt = 0;
  #tableLookups = 0;
  readonly #backoff: ReconnectBackoff;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;

  constructor(options: MysqlStreamOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#backoff = new ReconnectBackoff(options.reconnectMinMs, options.reconnectMaxMs);
    // mysql2's pause() stops handing out packets at once and stops reading the socket: the server's
    // send then blocks, so nothing piles up (net_write_timeout bounds how long it may block).
    this.#queue = new FlowQueue<QueueItem>(options.maxQueuedEvents ?? 500, {
      consume: (item, caughtUp) => this.#consume(item, caughtUp),
      pause: () => this.#zongji?.connection?.pause(),
      resume: () => {
        this.#lastEventAt = Date.now();
        // zongji pauses the socket itself while it looks up a table's columns in
        // information_schema (tables without self-describing binlog metadata) and resumes it when
        // done. Resuming in between would hand it the table's row events before their metadata,
        // and it drops those silently.
        if (this.#tableLookups === 0) this.#zongji?.connection?.resume();
      },
      onError: (err) => this.#fail(err),
    });
  }

  /** Whether the dump socket is paused and how many events wait for the handler (for metrics and tests). */
  get flow(): { readonly paused: boolean; readonly queued: number } {
    return { paused: this.#queue.paused, queued: this.#queue.length };
  }

  /**
   * Streams from the acknowledged position to `handler`. Throws what cannot be cured before
   * streaming; a transient failure of the first connect schedules a reconnect instead.
   */
  async start(handler: SourceHandler, onError: (err: Error) => void, info: MysqlServerInfo, tables: BinlogTables): Promise<void> {
    this.#info = info;
    this.#tables = tables;
    this.#handler = handler;
    this.#onError = onError;
    this.#stopping = false;
    this.#queue.open();
    try {
      await this.#connect();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const failure = e instanceof SyncError ? { kind: 'fatal' as const, error: e } : classifyBinlogError(e);
      if (failure.kind === 'fatal' && !failure.error.transient) throw failure.error;
      this.#connectionLost(e);
    }
    const hb = this.#o.heartbeatMs ?? 5000;
    this.#watchdog = setInterval(() => this.#checkAlive(hb), hb);
    this.#watchdog.unref();
  }

  /** Streams from the last acknowledged position with a new zongji instance; resolves once the server sends. */
  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    const resume = await planResume(this.#o.server, this.#o.acknowledged(), this.#info!.mariadb);
    const from = resume.from;
    if (generation !== this.#generation) return;
    // After the (awaited) resume query: as close to the dump's start as it gets.
    this.#o.beforeConnect?.();
    if (resume.by === 'gtid') {
      this.#log.warn('resuming from the GTID position of the checkpoint, not its binlog file and offset (failover to another server?)', {
        gtid: from.gtid, reason: resume.reason,
      });
    }
    this.#queue.push({
      kind: 'stream', transactions: new BinlogTransactions(this.#handler!, this.#tables, from, this.#info!.mariadb, this.#log, { startedByGtid: resume.by === 'gtid' }),
    });

    const zongji = new ZongJi(mysqlConnectionOptions(this.#o.url));
    this.#zongji = zongji;
    this.#lastEventAt = Date.now();
    this.#tableLookups = 0;
    countTableLookups(zongji, (delta) => {
      if (generation !== this.#generation) return;
      this.#tableLookups += delta;
      if (delta > 0) this.#log.debug('table columns looked up in information_schema (no self-describing binlog metadata)');
    });
    let starting: { resolve: () => void; reject: (err: Error) => void } | null = null;
    const started = new Promise<void>((resolve, reject) => { starting = { resolve, reject }; });
    const startFailed = (err: Error): boolean => {
      if (!starting) return false;
      starting.reject(err);
      starting = null;
      return true;
    };
    zongji.on('error', (err: Error) => {
      if (generation !== this.#generation || startFailed(err)) return;
      this.#streamError(err);
    });
    zongji.once('stopped', () => startFailed(new Error('the binlog stream was stopped while starting')));
    zongji.on('ready', () => {
      const c = zongji.connection;
      if (!c || generation !== this.#generation) return;
      // Queued ahead of the dump command zongji sends after this event: a pause longer than the
      // server's net_write_timeout would otherwise abort the dump.
      const hbNs = BigInt(this.#o.heartbeatMs ?? 5000) * 1_000_000n;
      for (const sql of ['SET SESSION net_write_timeout = 600', `SET @master_heartbeat_period = ${hbNs}`, SESSION_TIME_ZONE_SQL]) {
        c.query(sql, (err: Error | null) => {
          if (err && generation === this.#generation && !startFailed(err)) this.#streamError(err);
        });
      }
    });
    zongji.on('binlog', (event: AnyBinlogEvent) => {
      if (generation !== this.#generation) return;
      if (starting) {
        starting.resolve();
        starting = null;
      }
      this.#lastEventAt = Date.now();
      this.#queue.push({ kind: 'event', generation, event });
    });
    const includeSchema: Record<string, string[]> = {};
    for (const t of this.#o.tables.map(splitMysqlTable)) (includeSchema[t.database] ??= []).push(t.table);
    const start = resume.by === 'gtid' ? { gtidSet: from.gtid! } : { filename: from.file, position: from.offset };
    zongji.start({ serverId: this.#o.serverId, ...start, includeEvents: ZONGJI_EVENTS, includeSchema });
    const timeout = setTimeout(() => startFailed(Object.assign(new Error('the binlog stream did not start within 30 s'), { code: 'ETIMEDOUT' })), 30_000);
    try {
      await started;
    } catch (err) {
      if (generation === this.#generation) {
        this.#generation++;
        this.#zongji = null;
      }
      await stopZongji(zongji);
      throw err;
    } finally {
      clearTimeout(timeout);
    }
    this.#lastEventAt = Date.now();
    this.#backoff.reset();
    this.#log.info('streaming', { from: formatBinlogPosition(from), by: resume.by, serverId: this.#o.serverId });
  }

  async #consume(item: QueueItem, caughtUp: boolean): Promise<void> {
    if (item.kind === 'stream') this.#transactions = item.transactions;
    else if (item.kind === 'abort') await this.#transactions?.abort();
    else if (item.generation === this.#generation) await this.#transactions?.apply(item.event, caughtUp);
  }

  #streamError(err: Error): void {
    if (this.#stopping) return;
    const failure = classifyBinlogError(err);
    if (failure.kind === 'fatal') this.#fail(failure.error);
    else this.#connectionLost(err);
  }

  /** A stream that sent nothing, not even a heartbeat, for three periods while we were reading is dead. */
  #checkAlive(heartbeatMs: number): void {
    if (this.#stopping || this.#queue.paused || !this.#zongji || this.#reconnectTimer) return;
    if (Date.now() - this.#lastEventAt > 3 * heartbeatMs + 5000) this.#connectionLost(new Error('no binlog event or heartbeat for three heartbeat periods'));
  }

  #connectionLost(err: Error): void {
    if (this.#stopping || this.#reconnectTimer) return;
    const { delayMs: delay, waitMs } = this.#backoff.next();
    this.#log.warn('binlog connection lost; reconnecting', { error: err.message, code: (err as { code?: unknown }).code, delayMs: delay });
    this.#generation++;
    const old = this.#zongji;
    this.#zongji = null;
    if (old) void stopZongji(old);
    // Events read after the last acknowledged position come again from the new stream.
    this.#queue.discard((i) => i.kind === 'event');
    this.#queue.push({ kind: 'abort' });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#stopping) return;
      this.#connect().catch((e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        if (error instanceof SyncError && !error.transient) this.#fail(error);
        else if (error instanceof SyncError) this.#connectionLost(error);
        else this.#streamError(error);
      });
    }, waitMs);
  }

  #fail(err: Error): void {
    if (this.#stopping) return;
    this.#log.error('binlog streaming stopped', { error: err.message, code: (err as { code?: unknown }).code });
    this.halt();
    this.#onError?.(err);
  }

  /** Stops streaming for good; returns the zongji instance that was running, if any. */
  halt(): ZongJi | null {
    this.#stopping = true;
    this.#generation++;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#reconnectTimer = null;
    this.#watchdog = null;
    this.#queue.close();
    this.#o.onHalt?.();
    const z = this.#zongji;
    this.#zongji = null;
    if (z) void stopZongji(z);
    return z;
  }
}
