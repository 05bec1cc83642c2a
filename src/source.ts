/**
 * The contract between the sync engine and a database log (PostgreSQL logical
 * replication, the MySQL/MariaDB binlog). Free of driver types on purpose: the engine
 * never knows which database it is reading.
 *
 * Positions are opaque strings that the adapter serialises and compares; the engine
 * stores them in the checkpoint and hands them back unchanged.
 */

/** A row image as the log carries it. A column the log did not carry (PostgreSQL's unchanged TOASTed value) is `undefined`. */
export type RowImage = Readonly<Record<string, unknown>>;

/** One row change on a configured table, inside a committed transaction. */
export interface RowChange {
  /** The table as the configuration names it, schema- or database-qualified: `public.users`, `shop.users`. */
  readonly table: string;
  readonly op: 'insert' | 'update' | 'delete';
  /**
   * The old row: complete under PostgreSQL `REPLICA IDENTITY FULL` or MySQL `binlog_row_image=FULL`,
   * the key columns only when the key changed or on a delete under `REPLICA IDENTITY DEFAULT`,
   * `null` when the log carries none.
   */
  readonly before: RowImage | null;
  /** The new row for insert and update; `null` for delete. */
  readonly after: RowImage | null;
  /**
   * The columns that identify a row of this table (primary key or replica identity), so that a
   * later change to the same row replaces the expectation an earlier one set. Empty when the
   * table has none.
   */
  readonly keyColumns: readonly string[];
}

/** Every row of the listed tables was removed (TRUNCATE). */
export interface TruncateChange {
  readonly tables: readonly string[];
}

/**
 * Receives the log's content in commit order. The adapter awaits every call before it reads on,
 * which is how the engine applies backpressure: a call that does not return pauses the log.
 */
export interface SourceHandler {
  /** A transaction starts. Changes follow, then {@link commit}. Only committed transactions are delivered. */
  begin(tx: { readonly id: string }): Promise<void>;
  /** A row change on a configured table inside the current transaction. */
  change(change: RowChange): Promise<void>;
  /** A TRUNCATE of configured tables inside the current transaction. */
  truncate(change: TruncateChange): Promise<void>;
  /**
   * The current transaction committed. `position` is where a restart must resume to receive
   * only transactions committed after this one: the value to checkpoint.
   */
  commit(tx: { readonly position: string; readonly commitTime: Date | null }): Promise<void>;
  /**
   * The connection broke inside a transaction (after {@link begin}, before {@link commit}). The
   * adapter reconnects from after the last transaction it delivered whole, so this transaction is
   * delivered again from its begin (and no complete one twice).
   */
  abort(): Promise<void>;
  /**
   * The log is at `position` and everything of ours before it has been delivered (a keepalive, a
   * heartbeat, or a transaction on other tables). With nothing pending, the engine checkpoints and
   * acknowledges it so that an idle source does not hold WAL / binlog forever.
   */
  idle(position: string): Promise<void>;
}

/** What a source reports about itself for `status` and metrics. */
export interface SourceLag {
  /** Bytes of log between our acknowledged position and the log's end, when the database can tell. */
  readonly bytes: number | null;
  /** Bytes of log the server retains for us (the slot's WAL), when the database can tell. */
  readonly retainedBytes: number | null;
}

/**
 * A database log. The engine calls, in this order: {@link prepare}, optionally
 * {@link currentPosition} (backfill hand-off), {@link start}, then {@link acknowledge} as
 * checkpoints are stored, and {@link stop}.
 */
export interface Source {
  /** A short name for logs and metrics: `postgres`, `mysql`. */
  readonly kind: string;

  /**
   * Connects and makes sure the log will keep what we have not acknowledged (PostgreSQL: creates the
   * replication slot if it does not exist). Called once, before anything else.
   */
  prepare(): Promise<void>;

  /**
   * Where the log is now: a position from which streaming delivers every transaction that commits
   * after this call. The backfill records it before it reads the first user.
   */
  currentPosition(): Promise<string>;

  /**
   * Starts delivering transactions committed after `from` to `handler` (`null`: from the position
   * the server keeps for us: the slot's confirmed position; for the binlog, the end of the log).
   * Resolves once streaming runs, or once a reconnect is scheduled after a transient failure of the
   * first connect. Throws what cannot be cured (a purged binlog, a dropped slot) before streaming;
   * after that the adapter reconnects with backoff by itself and reports through `onError` only what
   * it cannot recover from, after which it stops delivering. Handler calls never overlap.
   */
  start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void>;

  /**
   * Everything up to and including `position` is durably stored: the server may release it. Only the
   * engine calls this, only with a checkpointed position. Never moves the position backwards.
   */
  acknowledge(position: string): Promise<void>;

  /** Orders two positions of this source: negative when `a` is before `b`, 0 when equal. */
  comparePositions(a: string, b: string): number;

  /** Lag and retained log for `status` and metrics; nulls where the database cannot tell. */
  lag(): Promise<SourceLag>;

  /** Stops streaming and closes connections. Sends a final acknowledgement of the last acknowledged position first. */
  stop(): Promise<void>;
}
