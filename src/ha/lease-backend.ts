/**
 * The lease row in the state store's database: who may read the log and push to cidaas now.
 * One row, `cidaas_sync_lease`, with a fencing token that grows by one with every new holder.
 * Times are the database server's, so the replicas' clocks never need to agree.
 */

/** Who a replica is, as the lease row and `status` show it. */
export interface LeaseIdentity {
  /** Unique per process: `<host>/<pid>/<random>`. */
  readonly holder: string;
  readonly host: string;
  readonly pid: number;
}

/** The lease row as `status` shows it. */
export interface LeaseRow {
  /** The fencing token of the current (or last) holder; `0` before the first. Decimal digits. */
  readonly token: string;
  /** Null when nobody holds it (released, or never taken). */
  readonly holder: string | null;
  readonly host: string | null;
  readonly pid: number | null;
  /** Milliseconds since the holder took the lease; null when nobody does. */
  readonly ageMs: number | null;
  /** Milliseconds since the last renewal; null when nobody holds it. */
  readonly renewedMsAgo: number | null;
  /** Milliseconds until it expires (negative: expired); null for a file lock, which does not expire. */
  readonly expiresInMs: number | null;
}

/** Runs one SQL statement inside a state store transaction; returns its rows. */
export type TransactionQuery = (sql: string, params: unknown[]) => Promise<unknown>;

/** The lease operations of one database kind; every one is a single statement. */
export interface LeaseBackend {
  /** Creates the lease table and its row when missing. */
  prepare(): Promise<void>;
  /**
   * Takes the lease when nobody holds it or it expired (`force`: whatever its state, fencing out the
   * holder: `cutover`). Returns the new fencing token, or null when someone else holds it.
   */
  tryAcquire(me: LeaseIdentity, durationMs: number, force?: boolean): Promise<string | null>;
  /** Extends the lease; false when it is no longer ours (another replica took it). */
  renew(me: LeaseIdentity, token: string, durationMs: number): Promise<boolean>;
  /** Gives the lease up at once (clean stop), so a standby takes over without waiting for expiry. */
  release(me: LeaseIdentity, token: string): Promise<void>;
  /** The row, or null when the table does not exist yet (HA never ran). */
  read(): Promise<LeaseRow | null>;
  /**
   * The statement a fenced transaction runs first: reads the row under a shared lock (so a takeover
   * waits until the transaction ends) and returns `{ token, holder }`. Null: nothing to check in the
   * transaction (SQLite: the operating system holds the lock for the holder alone).
   */
  readonly fenceSql: string | null;
  /** A statement a fenced transaction runs before {@link fenceSql}, when the database needs one (set after prepare). */
  readonly fencePrelude?: string | null;
  close(): Promise<void>;
}
