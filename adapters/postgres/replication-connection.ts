import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { LogicalReplicationConfig, Pgoutput } from 'pg-logical-replication';
import { formatLsn, parseLsn } from './lsn.js';
import type { PgConnectionConfig } from '../../src/security/pg-connection-config.js';

/**
 * How every replication connection configures pg-logical-replication 2.5.0: manual
 * acknowledgement with the library's own status timer off (that timer would report received, not
 * stored, positions) and flow control on (the socket pauses while a handler runs).
 */
export const REPLICATION_SERVICE_CONFIG = {
  acknowledge: { auto: false, timeoutSeconds: 0 },
  flowControl: { enabled: true },
} as const satisfies LogicalReplicationConfig;

/** What one replication session needs and whom it tells what happens. */
export interface ReplicationConnectionOptions {
  /** Connection URL of a role with REPLICATION. */
  readonly connectionString: string;
  /** TLS for the session (pg's `ssl`); see pgConnectionConfig. */
  readonly ssl?: PgConnectionConfig['ssl'];
  /** Shown in `pg_stat_replication.application_name`. */
  readonly applicationName: string;
  readonly slot: string;
  readonly publication: string;
  /** The server delivers the transactions whose commit record starts at or after this position (0: the slot's confirmed position). */
  readonly startLsn: bigint;
  /** Each pgoutput message, in order. The next one is read only once the promise settles; it must never reject. */
  readonly onMessage: (message: Pgoutput.Message) => Promise<void>;
  /**
   * A primary keepalive, called synchronously as it arrives: possibly ahead of messages still queued
   * (see {@link ReplicationConnection.busy}). `lsn` is the server's sent position.
   */
  readonly onKeepalive: (lsn: bigint, replyRequested: boolean) => void;
  /** The stream broke or ended after it had started. Called at most once, never after {@link ReplicationConnection.close}. */
  readonly onLost: (err: Error) => void;
}

/** The library's private flow-control state (pinned 2.5.0), read to know whether a keepalive overtook queued data. */
interface ServiceQueue {
  _messageQueue?: unknown[];
  _processing?: boolean;
}

/**
 * One START_REPLICATION session on a new {@link LogicalReplicationService} (never `subscribe()` twice
 * on one instance: a second subscribe() without a start LSN resumes from the last *received*
 * position and skips an unacknowledged transaction). Owns nothing but the socket: positions, transactions and
 * reconnects belong to the caller.
 */
export class ReplicationConnection {
  readonly #o: ReplicationConnectionOptions;
  readonly #service: LogicalReplicationService;
  #running = false;
  #closed = false;
  #lost = false;

  constructor(options: ReplicationConnectionOptions) {
    this.#o = options;
    this.#service = new LogicalReplicationService(
      { connectionString: options.connectionString, application_name: options.applicationName, ...(options.ssl === undefined ? {} : { ssl: options.ssl }) },
      REPLICATION_SERVICE_CONFIG,
    );
  }

  /** The library's effective configuration, defaults merged in. */
  get serviceConfig(): LogicalReplicationConfig {
    return this.#service.config;
  }

  /** Messages received and not yet handed to `onMessage`; flow control bounds them to about one socket read. */
  get queued(): number {
    return (this.#service as unknown as ServiceQueue)._messageQueue?.length ?? 0;
  }

  /** True while a message is being handled or waits in the queue. */
  get busy(): boolean {
    const q = this.#service as unknown as ServiceQueue;
    return q._processing === true || (q._messageQueue?.length ?? 0) > 0;
  }

  /** Starts streaming; resolves once the server streams, rejects with the server's refusal otherwise. */
  async open(): Promise<void> {
    const s = this.#service;
    s.on('data', (_lsn: string, message: Pgoutput.Message) => (this.#closed ? undefined : this.#o.onMessage(message)));
    s.on('heartbeat', (lsn: string, _time: number, replyRequested: boolean) => {
      if (!this.#closed) this.#o.onKeepalive(parseLsn(lsn), replyRequested);
    });
    // EventEmitter2 throws an 'error' without a listener. Before the stream runs, the subscribe()
    // rejection reports the same failure to the caller of open().
    s.on('error', (err: unknown) => this.#reportLost(err));
    const started = new Promise<void>((resolve) => {
      s.once('start', () => {
        this.#running = true;
        resolve();
      });
    });
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.#o.publication] });
    const subscribed = s.subscribe(plugin, this.#o.slot, formatLsn(this.#o.startLsn));
    subscribed.then(
      () => this.#reportLost(new Error('the replication stream ended')),
      (err: unknown) => this.#reportLost(err),
    );
    await Promise.race([
      started,
      subscribed.then(() => {
        throw new Error('the replication stream ended before it started');
      }),
    ]);
  }

  /**
   * Sends a standby status update reporting `flushed` as written, flushed and applied.
   *
   * PostgreSQL takes the flush position of a logical slot as the point from which to send again: on
   * restart it skips every transaction whose commit record *starts* before it. Our positions are
   * commit end positions, and the next transaction's commit record can start exactly there. The
   * library writes `lsn + 1` (the physical-standby "last byte + 1" reading), so pass one less: the
   * server then stores exactly `flushed` as `confirmed_flush_lsn`.
   */
  sendStatus(flushed: bigint, requestReply: boolean): void {
    if (!this.#running || this.#closed || flushed <= 0n) return;
    try {
      void this.#service.acknowledge(formatLsn(flushed - 1n), requestReply).catch(() => undefined);
    } catch {
      // A broken socket is reported through 'error'; a status update has nothing to add.
    }
  }

  /** Ends the session; bounded, since ending a half-open socket can wait for a long time. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.#service.destroy().then(() => undefined, () => undefined), timeout]);
    clearTimeout(timer);
  }

  #reportLost(err: unknown): void {
    if (!this.#running || this.#closed || this.#lost) return;
    this.#lost = true;
    this.#o.onLost(err instanceof Error ? err : new Error(String(err)));
  }
}
