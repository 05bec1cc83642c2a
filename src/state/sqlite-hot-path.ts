import type { EntityManager } from 'typeorm';
import type { DeadLetterRow } from './entities/dead-letter-entity.js';
import { TableNames } from './entities/table-names.js';
import type { UserStateRow } from './entities/user-state-entity.js';
import { DEAD_COLUMNS, deadLetterRow, upsertSql, USER_COLUMNS, userStateRow, type HotPath } from './state-rows.js';

/** The part of a better-sqlite3 statement used here. */
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}

/** The part of a better-sqlite3 Database used here (typeorm's driver holds it as `databaseConnection`). */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

/** Every key of a list as one parameter: the statement text stays the same whatever the number of keys. */
const IN_KEYS = 'IN (SELECT value FROM json_each(?))';

/**
 * The state store's per-batch statements on SQLite, as better-sqlite3 prepared statements run
 * directly: typeorm's query runner adds a promise, parameter copying and event broadcasting to
 * every call, and a backfill makes these calls for every page. Each statement is prepared once
 * per connection; a key list is one JSON parameter, rows are upserted one statement run each
 * (inside the caller's transaction, so still one commit per batch). The rows match the SQL hot
 * path's (state-hot-path.ts) exactly: same columns, times as milliseconds, booleans as 0/1.
 *
 * The connection is the one every store operation shares (the store runs them one at a time),
 * so these run inside the caller's transaction like the queries of its EntityManager would.
 */
export class SqliteHotPath implements HotPath {
  static readonly #byDatabase = new WeakMap<SqliteDatabase, SqliteHotPath>();
  readonly #userStates: SqliteStatement;
  readonly #deadLetters: SqliteStatement;
  readonly #upsertUser: SqliteStatement;
  readonly #upsertDead: SqliteStatement;
  readonly #deleteDead: SqliteStatement;
  readonly #upsertCheckpoint: SqliteStatement;

  private constructor(db: SqliteDatabase) {
    this.#userStates = db.prepare(`SELECT ${USER_COLUMNS.join(', ')} FROM ${TableNames.userState} WHERE user_key ${IN_KEYS}`);
    this.#deadLetters = db.prepare(`SELECT ${DEAD_COLUMNS.join(', ')} FROM ${TableNames.deadLetter} WHERE user_key ${IN_KEYS}`);
    this.#upsertUser = db.prepare(upsertSql('sqlite', TableNames.userState, USER_COLUMNS, `(${USER_COLUMNS.map(() => '?').join(', ')})`));
    this.#upsertDead = db.prepare(upsertSql('sqlite', TableNames.deadLetter, DEAD_COLUMNS, `(${DEAD_COLUMNS.map(() => '?').join(', ')})`));
    this.#deleteDead = db.prepare(`DELETE FROM ${TableNames.deadLetter} WHERE user_key ${IN_KEYS}`);
    this.#upsertCheckpoint = db.prepare(upsertSql('sqlite', TableNames.checkpoint, ['id', '"position"', 'updated_at'], '(?, ?, ?)'));
  }

  /** The hot path of an open connection, its statements prepared at the first call. */
  static of(db: SqliteDatabase): SqliteHotPath {
    let path = SqliteHotPath.#byDatabase.get(db);
    if (path === undefined) {
      path = new SqliteHotPath(db);
      SqliteHotPath.#byDatabase.set(db, path);
    }
    return path;
  }

  async userStates(_m: EntityManager, keys: readonly string[]): Promise<UserStateRow[]> {
    if (keys.length === 0) return [];
    return (this.#userStates.all(JSON.stringify(keys)) as Record<string, unknown>[]).map(userStateRow);
  }

  async deadLetters(_m: EntityManager, keys: readonly string[]): Promise<DeadLetterRow[]> {
    if (keys.length === 0) return [];
    return (this.#deadLetters.all(JSON.stringify(keys)) as Record<string, unknown>[]).map(deadLetterRow);
  }

  async upsertUserStates(_m: EntityManager, rows: readonly UserStateRow[]): Promise<void> {
    for (const r of rows) {
      this.#upsertUser.run(r.key, r.sub, r.fpProfile, r.fpEmail, r.fpPassword, r.fpMfa, r.lastPushAt.getTime(), r.deleted ? 1 : 0);
    }
  }

  async upsertDeadLetters(_m: EntityManager, rows: readonly DeadLetterRow[]): Promise<void> {
    for (const r of rows) {
      this.#upsertDead.run(r.key, r.reason, r.attempts, r.firstSeen.getTime(), r.lastSeen.getTime(), r.permanent ? 1 : 0);
    }
  }

  async deleteDeadLetters(_m: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.#deleteDead.run(JSON.stringify(keys));
  }

  async upsertCheckpoint(_m: EntityManager, id: string, position: string, at: Date): Promise<void> {
    this.#upsertCheckpoint.run(id, position, at.getTime());
  }
}
