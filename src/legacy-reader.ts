/**
 * Reads the current state of users from the legacy database: the dispatcher's "load current
 * state" step, shared by the backfill, the stream, `preview` and `verify`. One query per configured
 * table for a whole batch. Free of driver types.
 */

/** A row as the driver returns it, keyed by column name. */
export type LegacyRow = Readonly<Record<string, unknown>>;

/** Everything read for one user, from each configured table. */
export interface LegacyRows {
  /** The legacy user key, as a string. */
  readonly key: string;
  /** The root row; `null` when the user no longer exists. */
  readonly user: LegacyRow | null;
  /** Rows of the password table (normally one), or empty when the password is a users column or there is none. */
  readonly password: readonly LegacyRow[];
  /** Rows of the MFA table (django-otp keeps one per device). */
  readonly mfa: readonly LegacyRow[];
  /** Rows of the attributes (key/value) table. */
  readonly attributes: readonly LegacyRow[];
  /**
   * Rows of the group membership table (`users.groups`), one per membership; with
   * `users.groups.lookup`, each carries the group's name under {@link GROUP_NAME_COLUMN}.
   * Absent when no membership table is configured.
   */
  readonly groups?: readonly LegacyRow[];
  /** Rows of the linked social accounts table (`users.identities`); absent when none is configured. */
  readonly identities?: readonly LegacyRow[];
}

/** The column a membership row carries the looked-up group name in (`users.groups.lookup`). */
export const GROUP_NAME_COLUMN = '__cidaas_sync_group_name';

/** The tables a reader reads, under the names the source adapter reports in {@link RowChange.table}. */
export type LegacyTableRole = 'users' | 'password' | 'mfa' | 'attributes' | 'groups' | 'identities';

/** Reads users from the legacy database. Implemented once per SQL dialect. */
export interface LegacyReader {
  /**
   * The current rows of each key. Every requested key is in the result (with `user: null` when the
   * root row is gone). One query per configured table.
   */
  readUsers(keys: readonly string[]): Promise<Map<string, LegacyRows>>;

  /** Up to `limit` user keys after `afterKey` (exclusive; `null` = from the start) in the key column's own order. */
  pageKeys(afterKey: string | null, limit: number): Promise<string[]>;

  /**
   * Up to `limit` users after `afterKey` in key order with all their rows, the users rows read by
   * the page query itself (a backfill reads each page once, not its keys and then its rows).
   * Optional: without it, the backfill pages keys and reads them with {@link readUsers}.
   */
  readPage?(afterKey: string | null, limit: number): Promise<Map<string, LegacyRows>>;

  /** The number of rows in the users table (an estimate is fine): the backfill's progress total. */
  estimateUserCount(): Promise<number>;

  /** Closes the connection pool. */
  close(): Promise<void>;
}
