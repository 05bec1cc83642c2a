import type { EntityManager } from 'typeorm';
import { CheckpointEntity } from './entities/checkpoint-entity.js';
import type { DeadLetterRow } from './entities/dead-letter-entity.js';
import { TableNames } from './entities/table-names.js';
import type { UserStateRow } from './entities/user-state-entity.js';
import { SqliteHotPath, type SqliteDatabase } from './sqlite-hot-path.js';
import { deadLetterRow, DEAD_COLUMNS, upsertSql, USER_COLUMNS, userStateRow, type Dialect, type HotPath } from './state-rows.js';

/**
 * The statements every batch runs (read the states and dead letters of its users, upsert its
 * outcomes) as plain SQL through the manager's connection: typeorm's query builder and entity
 * hydration cost more CPU per user than the database itself, and a backfill runs them for every
 * user. The SQL text of each statement depends only on the number of keys, so the servers' plan
 * caches see few distinct statements. PostgreSQL and MySQL/MariaDB; SQLite has its own
 * (sqlite-hot-path.ts).
 * Columns and conversions match the entities (entities/*.ts): times are BIGINT milliseconds,
 * booleans 0/1 (SQLite, MySQL) or BOOLEAN (PostgreSQL).
 */
export class StateHotPath implements HotPath {
  readonly #dialect: Dialect;

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  /**
   * The hot path for the manager's database. SQLite's goes to better-sqlite3's prepared
   * statements directly (sqlite-hot-path.ts): its one connection is the manager's.
   */
  static of(m: EntityManager): HotPath {
    const type = m.connection.options.type;
    if (type === 'better-sqlite3') return SqliteHotPath.of((m.connection.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection);
    return type === 'postgres' ? POSTGRES : MYSQL;
  }

  /** The user state rows of `keys` that exist (at most a few hundred keys per call). */
  async userStates(m: EntityManager, keys: readonly string[]): Promise<UserStateRow[]> {
    if (keys.length === 0) return [];
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${USER_COLUMNS.join(', ')} FROM ${TableNames.userState} WHERE user_key IN (${this.#list(keys.length, 1)})`, [...keys],
    );
    return rows.map(userStateRow);
  }

  /** The dead letters of `keys` that exist. */
  async deadLetters(m: EntityManager, keys: readonly string[]): Promise<DeadLetterRow[]> {
    if (keys.length === 0) return [];
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${DEAD_COLUMNS.join(', ')} FROM ${TableNames.deadLetter} WHERE user_key IN (${this.#list(keys.length, 1)})`, [...keys],
    );
    return rows.map(deadLetterRow);
  }

  /** Inserts or replaces user state rows. */
  async upsertUserStates(m: EntityManager, rows: readonly UserStateRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    for (const r of rows) {
      params.push(r.key, r.sub, r.fpProfile, r.fpEmail, r.fpPassword, r.fpMfa, r.lastPushAt.getTime(), this.#bool(r.deleted));
    }
    await m.query(this.#upsert(TableNames.userState, USER_COLUMNS, rows.length), params);
  }

  /** Inserts or replaces dead letters. */
  async upsertDeadLetters(m: EntityManager, rows: readonly DeadLetterRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    for (const r of rows) params.push(r.key, r.reason, r.attempts, r.firstSeen.getTime(), r.lastSeen.getTime(), this.#bool(r.permanent));
    await m.query(this.#upsert(TableNames.deadLetter, DEAD_COLUMNS, rows.length), params);
  }

  /** Deletes the dead letters of `keys`. */
  async deleteDeadLetters(m: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await m.query(`DELETE FROM ${TableNames.deadLetter} WHERE user_key IN (${this.#list(keys.length, 1)})`, [...keys]);
  }

  /** Inserts or updates the one checkpoint row (once per batch at most: the query builder quotes `position` for each database). */
  async upsertCheckpoint(m: EntityManager, id: string, position: string, at: Date): Promise<void> {
    await m.createQueryBuilder().insert().into(CheckpointEntity)
      .values({ id, position, updatedAt: at })
      .orUpdate(['position', 'updated_at'], ['id'])
      .updateEntity(false)
      .execute();
  }

  #upsert(table: string, columns: readonly string[], rowCount: number): string {
    const values: string[] = [];
    for (let i = 0; i < rowCount; i++) values.push(`(${this.#list(columns.length, i * columns.length + 1)})`);
    return upsertSql(this.#dialect, table, columns, values.join(', '));
  }

  /** `n` placeholders from parameter number `first`. */
  #list(n: number, first: number): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.#dialect === 'postgres' ? `$${first + i}` : '?');
    return out.join(', ');
  }

  #bool(value: boolean): boolean | number {
    return this.#dialect === 'postgres' ? value : value ? 1 : 0;
  }
}

const POSTGRES = new StateHotPath('postgres');
const MYSQL = new StateHotPath('mysql');
