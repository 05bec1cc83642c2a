import type { EntityManager } from 'typeorm';
import type { DeadLetterRow } from './entities/dead-letter-entity.js';
import { TableNames } from './entities/table-names.js';
import type { UserStateRow } from './entities/user-state-entity.js';

/** The SQL flavours of the state store. */
type Dialect = 'sqlite' | 'postgres' | 'mysql';

const USER_COLUMNS = ['user_key', 'sub', 'fp_profile', 'fp_email', 'fp_password', 'fp_mfa', 'last_push_at', 'deleted'] as const;
const DEAD_COLUMNS = ['user_key', 'reason', 'attempts', 'first_seen', 'last_seen', 'permanent'] as const;

/**
 * The statements every batch runs (read the states and dead letters of its users, upsert its
 * outcomes) as plain SQL through the manager's connection: typeorm's query builder and entity
 * hydration cost more CPU per user than the database itself, and a backfill runs them for every
 * user. The SQL text of each statement depends only on the number of keys, so the drivers'
 * statement caches (better-sqlite3) and the servers' plan caches see few distinct statements.
 * Columns and conversions match the entities (entities/*.ts): times are BIGINT milliseconds,
 * booleans 0/1 (SQLite, MySQL) or BOOLEAN (PostgreSQL).
 */
export class StateHotPath {
  readonly #dialect: Dialect;

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  /** The hot path for the manager's database. */
  static of(m: EntityManager): StateHotPath {
    const type = m.connection.options.type;
    return type === 'postgres' ? POSTGRES : type === 'better-sqlite3' ? SQLITE : MYSQL;
  }

  /** The user state rows of `keys` that exist (at most a few hundred keys per call). */
  async userStates(m: EntityManager, keys: readonly string[]): Promise<UserStateRow[]> {
    if (keys.length === 0) return [];
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${USER_COLUMNS.join(', ')} FROM ${TableNames.userState} WHERE user_key IN (${this.#list(keys.length, 1)})`, [...keys],
    );
    return rows.map((r) => ({
      key: String(r['user_key']), sub: String(r['sub']),
      fpProfile: text(r['fp_profile']), fpEmail: text(r['fp_email']), fpPassword: text(r['fp_password']), fpMfa: text(r['fp_mfa']),
      lastPushAt: new Date(Number(r['last_push_at'])), deleted: flag(r['deleted']),
    }));
  }

  /** The dead letters of `keys` that exist. */
  async deadLetters(m: EntityManager, keys: readonly string[]): Promise<DeadLetterRow[]> {
    if (keys.length === 0) return [];
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${DEAD_COLUMNS.join(', ')} FROM ${TableNames.deadLetter} WHERE user_key IN (${this.#list(keys.length, 1)})`, [...keys],
    );
    return rows.map((r) => ({
      key: String(r['user_key']), reason: String(r['reason']), attempts: Number(r['attempts']),
      firstSeen: new Date(Number(r['first_seen'])), lastSeen: new Date(Number(r['last_seen'])), permanent: flag(r['permanent']),
    }));
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

  #upsert(table: string, columns: readonly string[], rowCount: number): string {
    const values: string[] = [];
    for (let i = 0; i < rowCount; i++) values.push(`(${this.#list(columns.length, i * columns.length + 1)})`);
    const rest = columns.slice(1);
    const update = this.#dialect === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${rest.map((c) => `${c} = VALUES(${c})`).join(', ')}`
      : `ON CONFLICT (user_key) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')} ${update}`;
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

const SQLITE = new StateHotPath('sqlite');
const POSTGRES = new StateHotPath('postgres');
const MYSQL = new StateHotPath('mysql');

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
