import type { Pgoutput } from 'pg-logical-replication';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import type { SourceHandler } from '../../src/source.js';
import { formatLsn, parseLsn } from './lsn.js';
import { relationName, toRowChange } from './pgoutput-change.js';
import { ReplicationConnection } from './replication-connection.js';
import { classifyReplicationError } from './replication-errors.js';
import { ReconnectBackoff } from '../reconnect-backoff.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';

/** What a {@link PostgresStream} reads and how it paces itself. */
export interface PostgresStreamOptions {
  /** Connection URL of a role with REPLICATION. */
  readonly url: Secret;
  readonly slot: string;
  readonly publication: string;
  /** The configured tables (`public.users`): changes on others are not delivered. */
  readonly tables: ReadonlySet<string>;
  /** Primary key columns per configured table, as known at the time of a change. */
  readonly primaryKeys: () => ReadonlyMap<string, readonly string[]>;
  readonly logger: Logger;
  /** Shown in `pg_stat_replication.application_name` (default `cidaas-sync-stream`). */
  readonly applicationName?: string;
  /** How often a standby status update goes out, paused or not (default 10 s). */
  readonly statusIntervalMs?: number;
  /** Reconnect backoff bounds (default 500 ms .. 30 s). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Runs before every (re)connect; a throw (high availability: the lease is lost) stops the stream instead. */
  readonly beforeConnect?: () => void;
  /** Called each time a (re)connected session streams. */
  readonly onStreaming?: () => void;
}

/**
 * Delivers a slot's transactions to a {@link SourceHandler} across reconnects: one handler call at a
 * time, begin held back until a transaction has a change of ours (a transaction without one, and a
 * keepalive with nothing pending, become idle() positions), abort() for a transaction cut by a lost
 * connection, a new session from where delivery stands after backoff, and status updates with the
 * last acknowledged position on a timer, whether the handler blocks or not.
 *
 * One class over 300 lines on purpose: delivery, reconnect and status updates share the generation
 * counter and the delivered/acknowledged positions, and every method checks them together.
 */
export class PostgresStream {
  readonly #o: PostgresStreamOptions;
  readonly #log: Logger;
  #conn: ReplicationConnection | null = null;
  #handler: SourceHandler | null = null;
  #onError: ((err: Error) => void) | null = null;
  /** Between start() and stop() or a fatal error. */
  #active = false;
  /** Bumped on every (re)connect and stop: work of an older session is dropped. */
  #generation = 0;
  /** Every handler call runs on this chain, one after the other, including abort() and idle(). */
  #chain: Promise<void> = Promise.resolve();
  /** The highest position the engine acknowledged (or where we started): what status updates report. */
  #acked = 0n;
  /** Everything before this position was handed to the handler: where a reconnect resumes. */
  #delivered = 0n;
  /** The highest position given to the handler through commit() or idle(). */
  #reported = 0n;
  /** The xid of a transaction whose begin is held back until it has a change of ours. */
  #pendingBegin: string | null = null;
  /** begin() was delivered and commit() was not. */
  #inTx = false;
  /** The newest keepalive position waiting for its idle() call. */
  #idleAt: bigint | null = null;
  #statusTimer: NodeJS.Timeout | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  readonly #backoff: ReconnectBackoff;

  constructor(options: PostgresStreamOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#backoff = new ReconnectBackoff(options.reconnectMinMs, options.reconnectMaxMs);
  }

  /** True between start() and stop() or a fatal error. */
  get active(): boolean {
    return this.#active;
  }

  /** Messages received and not yet handed to the handler; flow control keeps it to about one socket read. */
  get bufferedMessages(): number {
    return this.#conn?.queued ?? 0;
  }

  /**
   * Streams the transactions whose commit record starts at or after `from`. Resolves once the first
   * session streams or, after a failure worth retrying, once its reconnect is scheduled; rejects with
   * a SyncError for a refusal that reconnecting cannot cure.
   */
  async start(from: bigint, handler: SourceHandler, onError: (err: Error) => void): Promise<void> {
    if (this.#active) throw new Error('the replication stream is already running');
    this.#handler = handler;
    this.#onError = onError;
    // A call of a previous run that never returned must not hold this one up.
    this.#chain = Promise.resolve();
    this.#acked = this.#delivered = this.#reported = from;
    this.#pendingBegin = null;
    this.#inTx = false;
    this.#idleAt = null;
    this.#active = true;
    this.#generation++;
    this.#backoff.reset();
    try {
      await this.#connect();
    } catch (err) {
      const e = toError(err);
      const fatal = classifyReplicationError(e);
      if (fatal) {
        this.#deactivate();
        throw fatal;
      }
      this.#connectionLost(e);
    }
    this.#statusTimer = setInterval(() => this.#sendStatus(this.#quiet()), this.#o.statusIntervalMs ?? 10_000);
    this.#statusTimer.unref();
  }

  /** Everything up to `position` is stored: report it from now on. Never moves backwards. */
  acknowledge(position: bigint): void {
    if (position <= this.#acked) return;
    this.#acked = position;
    this.#sendStatus();
  }

  /** The session is (or should be) gone, e.g. the server is shutting down: drop it and reconnect. */
  interrupt(reason: Error): void {
    if (this.#conn) this.#connectionLost(reason);
  }

  /** Sends the last acknowledged position and ends the session; queued and running handler calls are dropped. */
  async stop(): Promise<void> {
    const conn = this.#conn;
    this.#deactivate();
    if (!conn) return;
    // The server reads this status update before the end of the session.
    conn.sendStatus(this.#acked, false);
    await conn.close();
  }

  /** Opens a new replication session for the current generation, from where delivery stands. */
  async #connect(): Promise<void> {
    const generation = this.#generation;
    this.#o.beforeConnect?.();
    const from = this.#delivered > this.#acked ? this.#delivered : this.#acked;
    const conn: ReplicationConnection = new ReplicationConnection({
      ...pgConnectionConfig(this.#o.url),
      applicationName: this.#o.applicationName ?? 'cidaas-sync-stream',
      slot: this.#o.slot,
      publication: this.#o.publication,
      startLsn: from,
      onMessage: (message) => this.#serially(generation, (h) => this.#onMessage(generation, h, message)),
      onKeepalive: (lsn, replyRequested) => this.#onKeepalive(generation, conn, lsn, replyRequested),
      onLost: (err) => {
        if (generation === this.#generation) this.#connectionLost(err);
      },
    });
    this.#conn = conn;
    try {
      await conn.open();
    } catch (err) {
      if (this.#conn === conn) this.#conn = null;
      void conn.close();
      throw err;
    }
    if (generation !== this.#generation) {
      void conn.close();
      return;
    }
    this.#backoff.reset();
    this.#log.info('streaming', { slot: this.#o.slot, from: formatLsn(from) });
    this.#sendStatus();
    this.#o.onStreaming?.();
  }

  /** Runs `task` after every handler call queued before it, unless its connection has been replaced meanwhile. */
  #serially(generation: number, task: (h: SourceHandler) => Promise<void>): Promise<void> {
    const run = this.#chain.then(async () => {
      const h = this.#handler;
      if (generation !== this.#generation || !h) return;
      try {
        await task(h);
      } catch (err) {
        // The library would emit the throw and go on with the next message: stop instead.
        this.#fail(toError(err));
      }
    });
    this.#chain = run;
    return run;
  }

  async #onMessage(generation: number, h: SourceHandler, message: Pgoutput.Message): Promise<void> {
    switch (message.tag) {
      case 'begin':
        this.#pendingBegin = String(message.xid >>> 0);
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const table = relationName(message.relation);
        if (!this.#o.tables.has(table)) return;
        if (!(await this.#begin(generation, h))) return;
        await h.change(toRowChange(message, this.#o.primaryKeys().get(table)));
        return;
      }
      case 'truncate': {
        const tables = message.relations.map(relationName).filter((t) => this.#o.tables.has(t));
        if (tables.length === 0 || !(await this.#begin(generation, h))) return;
        await h.truncate({ tables });
        return;
      }
      case 'commit': {
        const position = parseLsn(message.commitEndLsn!);
        this.#pendingBegin = null;
        if (position > this.#delivered) this.#delivered = position;
        if (position <= this.#reported && !this.#inTx) return;
        if (position > this.#reported) this.#reported = position;
        if (this.#inTx) {
          this.#inTx = false;
          await h.commit({ position: formatLsn(position), commitTime: new Date(Number((message.commitTime as bigint) / 1000n)) });
        } else {
          // A transaction without changes of ours (other tables of the publication) moves the position on.
          await h.idle(formatLsn(position));
        }
        return;
      }
      default:
        return; // relation, type, origin, message: nothing to deliver
    }
  }

  /** Delivers the held-back begin; false when the connection was replaced while it ran. */
  async #begin(generation: number, h: SourceHandler): Promise<boolean> {
    const id = this.#pendingBegin;
    if (id === null) return true;
    this.#pendingBegin = null;
    this.#inTx = true;
    await h.begin({ id });
    return generation === this.#generation;
  }

  #onKeepalive(generation: number, conn: ReplicationConnection, lsn: bigint, replyRequested: boolean): void {
    if (replyRequested) this.#sendStatus();
    // A keepalive is read at once, ahead of data flow control still holds: its position is ours only
    // when nothing is queued, being handled, or half-delivered. The server sends it after everything
    // it decoded before `lsn`.
    if (generation !== this.#generation || conn.busy || this.#inTx || this.#pendingBegin !== null) return;
    if (lsn <= this.#reported) return;
    if (lsn > this.#delivered) this.#delivered = lsn;
    const queued = this.#idleAt !== null;
    this.#idleAt = lsn;
    if (queued) return;
    void this.#serially(generation, async (h) => {
      const at = this.#idleAt;
      this.#idleAt = null;
      if (at === null || at <= this.#reported || this.#inTx) return;
      this.#reported = at;
      await h.idle(formatLsn(at));
    });
  }

  /**
   * Reports the last acknowledged position: on a timer, on request, after acknowledge() and
   * (re)connect. `requestReply` asks for a keepalive, whose position becomes an idle() call: the
   * server also sends one by itself when it waits for WAL beyond what we confirmed, but asking makes
   * an idle slot move on within one status interval whatever the server version does.
   */
  #sendStatus(requestReply = false): void {
    this.#conn?.sendStatus(this.#acked, requestReply);
  }

  /** Nothing queued, being handled or half-delivered: a keepalive now would give an idle position. */
  #quiet(): boolean {
    const conn = this.#conn;
    return conn !== null && !conn.busy && !this.#inTx && this.#pendingBegin === null;
  }

  #connectionLost(err: Error): void {
    if (!this.#active) return;
    const fatal = classifyReplicationError(err);
    if (fatal) {
      this.#fail(fatal);
      return;
    }
    const generation = ++this.#generation;
    const old = this.#conn;
    this.#conn = null;
    void old?.close();
    this.#idleAt = null;
    // Queued behind the call that may still be running for the old connection.
    void this.#serially(generation, async (h) => {
      this.#pendingBegin = null;
      if (!this.#inTx) return;
      this.#inTx = false;
      await h.abort();
    });
    if (this.#reconnectTimer) return;
    const { delayMs: delay, waitMs } = this.#backoff.next();
    this.#log.warn('replication connection lost; reconnecting', { error: err.message, delayMs: delay });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#active) return;
      const attempt = this.#generation;
      // A failure of an attempt that something else has already replaced is no news.
      this.#connect().catch((e: unknown) => {
        if (attempt === this.#generation) this.#connectionLost(toError(e));
      });
    }, waitMs);
  }

  #fail(err: Error): void {
    if (!this.#active) return;
    this.#log.error('replication stopped', { error: err.message });
    const conn = this.#conn;
    this.#deactivate();
    void conn?.close();
    this.#onError?.(err);
  }

  /** Ends delivery: timers off, every queued or running call of this run dropped. */
  #deactivate(): void {
    this.#active = false;
    this.#generation++;
    this.#conn = null;
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#statusTimer = null;
    this.#reconnectTimer = null;
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
