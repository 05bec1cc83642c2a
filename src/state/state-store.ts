import type { FingerprintKey } from '../digest/fingerprint-key.js';

/**
 * The state store: what cidaas-sync remembers between runs. Per legacy user key, the cidaas
 * `sub` and the fingerprints of what was last pushed (steps 5 of docs/architecture.md); the dead-letter
 * list; the checkpoint (step 6); the backfill progress; a little metadata.
 *
 * Legacy keys and positions are opaque strings to this layer: it stores them as given and
 * hands them back unchanged. Keys are ordered by their string value, compared code point by
 * code point (binary collation on every database: SQLite BINARY, PostgreSQL `COLLATE "C"`,
 * MySQL/MariaDB `utf8mb4_bin`), so numeric keys come out as `"10" < "9"`; a caller that walks
 * numeric keys in numeric order (verify) sorts them itself. Keys are at most 255 characters.
 *
 * The store never holds a user's secret: fingerprints are keyed digests the caller computed, and
 * a value that does not look like a digest is refused (see `fingerprint-guard.ts`). Its one secret
 * of its own is the key of those digests (see `fingerprintKey`).
 *
 * Every method may throw a `SyncError` with code `STATE_STORE`; `transient` says whether the
 * same call may succeed later (a busy SQLite file, a refused connection) or an operator must
 * act first (a read-only file, a full disk, a wrong password).
 */

/**
 * Digests of each field group as last pushed to cidaas, never the values. A group the user
 * lacks (no password row, no MFA) is absent. Hex (32 to 128 characters) or base64/base64url of
 * a 16 to 64 byte digest.
 */
export interface FieldFingerprints {
  /** Profile fields: names, username, phone, custom fields, status. */
  profile?: string;
  /** Email address and its verified flag. */
  email?: string;
  /** Password hash and its algorithm. */
  password?: string;
  /** MFA (TOTP) setup. */
  mfa?: string;
}

/** What the store knows about one legacy user. */
export interface UserState {
  /** The legacy user key. */
  key: string;
  /** The cidaas `sub` the user was pushed as. */
  sub: string;
  /** The fingerprints of the last push; empty for a deleted user (tombstone). */
  fingerprints: FieldFingerprints;
  /** When the user was last pushed or deleted in cidaas. */
  lastPushAt: Date;
  /** True when the user was deleted in cidaas; the row stays as a tombstone. */
  deleted: boolean;
}

/** One user's outcome of a batch, as the dispatcher records it. */
export type OutcomeRecord =
  /** cidaas answered CREATED or UPDATED: the user state is upserted and any dead letter for the key removed. */
  | { kind: 'pushed'; key: string; sub: string; fingerprints: FieldFingerprints; at: Date }
  /** The user was deleted in cidaas: the state becomes a tombstone (fingerprints cleared) and any dead letter is removed. */
  | { kind: 'deleted'; key: string; sub: string; at: Date }
  /**
   * cidaas answered FAILED (or the mapping threw): the dead letter for the key is upserted, counting
   * attempts, keeping the first time seen, setting the last time seen to `at`. The user state is left
   * as it is. `permanent` failures are not retried automatically.
   */
  | { kind: 'dead'; key: string; reason: string; at: Date; permanent: boolean };

/** A user that could not be synced, with why. */
export interface DeadLetter {
  key: string;
  /** cidaas's message or the mapping error, at most 2000 characters. */
  reason: string;
  /** How many times the user failed since it last succeeded (or since the dead letter was removed). */
  attempts: number;
  firstSeen: Date;
  lastSeen: Date;
  /** True when retrying unchanged cannot help (a validation error); false for transient failures. */
  permanent: boolean;
}

/** The position up to which every change is stored: where a restart resumes. */
export interface Checkpoint {
  /** The source's position, opaque here. */
  position: string;
  updatedAt: Date;
}

/** How far the backfill got, so an interrupted one resumes from its last key. */
export interface BackfillProgress {
  status: 'running' | 'done';
  /** The log position recorded before the backfill started: where streaming takes over. */
  startPosition: string;
  /** The last legacy key whose page was pushed, or null before the first page. */
  lastKey: string | null;
  usersDone: number;
  /** The count of users to do, when known. */
  usersTotal: number | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** Options of {@link StateStore.listDeadLetters}. */
export interface ListDeadLettersOptions {
  /** At most this many, 1 to 10000; 100 by default. */
  limit?: number;
  /** Only keys after this one (key order), for paging. */
  afterKey?: string;
}

/**
 * What a fenced store runs first in every write transaction (high availability, `src/ha`): it
 * throws when this replica no longer holds the lease, and the write is rolled back.
 */
export interface StateFence {
  /** `query` runs one statement inside the write's transaction and returns its rows. */
  check(query: (sql: string, params: unknown[]) => Promise<unknown>): Promise<void>;
}

/**
 * The state store. One instance per process; methods may be called concurrently (on SQLite
 * they are serialised internally, on PostgreSQL and MySQL they use a small pool).
 */
export interface StateStore {
  /** Connects and runs pending migrations (under a lock, so two processes can open at once). */
  open(): Promise<void>;
  /** Closes the connection or pool. Idempotent. */
  close(): Promise<void>;
  /** The states of the given keys that exist, tombstones included. Any number of keys. */
  getUserStates(keys: readonly string[]): Promise<Map<string, UserState>>;
  /**
   * Stores a batch's outcomes in ONE transaction and, when given, the new checkpoint in the same
   * transaction: either all of it is stored or none. Outcomes for the same key apply in order.
   */
  recordOutcomes(outcomes: readonly OutcomeRecord[], checkpoint?: string): Promise<void>;
  /** The checkpoint, or null before the first one. */
  getCheckpoint(): Promise<Checkpoint | null>;
  /** Stores the checkpoint on its own (idle source, heartbeat). */
  saveCheckpoint(position: string): Promise<void>;
  /** The backfill progress, or null when no backfill was started (or it was cleared). */
  getBackfill(): Promise<BackfillProgress | null>;
  saveBackfill(p: BackfillProgress): Promise<void>;
  /** Forgets the backfill progress: `backfill --restart`. */
  clearBackfill(): Promise<void>;
  /** Dead letters in key order. */
  listDeadLetters(opts?: ListDeadLettersOptions): Promise<DeadLetter[]>;
  countDeadLetters(): Promise<number>;
  /** The dead letters of the given keys that exist. */
  getDeadLetters(keys: readonly string[]): Promise<Map<string, DeadLetter>>;
  /** Removes the dead letters of the given keys (`dlq retry`); returns how many were removed. */
  removeDeadLetters(keys: readonly string[]): Promise<number>;
  /** Users known to be live in cidaas, and tombstones. */
  countUsers(): Promise<{ live: number; deleted: number }>;
  /** The newest push or delete time, or null when nothing was pushed. */
  lastPushAt(): Promise<Date | null>;
  /** User states (tombstones included) with key greater than `afterKey`, in key order, at most `limit` (1 to 10000). */
  listUserStates(afterKey: string | null, limit: number): Promise<UserState[]>;
  /**
   * The key of the fingerprints (HMAC-SHA-256), created once per store by a migration and kept in
   * its metadata; throws when the store is not open. Never print it.
   */
  fingerprintKey(): FingerprintKey;
  /** Small metadata: source identity, config fingerprint, slot name. Null when not set. */
  getMeta(name: string): Promise<string | null>;
  /** Sets a metadata value (name at most 191 characters). */
  setMeta(name: string, value: string): Promise<void>;
  /**
   * From now on every write (outcomes, checkpoint, backfill progress, metadata) runs in a
   * transaction that starts with `fence.check`; null ends fencing.
   */
  setFence?(fence: StateFence | null): void;
}
