import type { EntityManager } from 'typeorm';
import type { DeadLetterRow } from './entities/dead-letter-entity.js';
import type { UserStateRow } from './entities/user-state-entity.js';

/** The SQL flavours of the state store. */
export type Dialect = 'sqlite' | 'postgres' | 'mysql';

export const USER_COLUMNS = ['user_key', 'sub', 'fp_profile', 'fp_email', 'fp_password', 'fp_mfa', 'last_push_at', 'deleted'] as const;
export const DEAD_COLUMNS = ['user_key', 'reason', 'attempts', 'first_seen', 'last_seen', 'permanent'] as const;

/** The statements every batch runs; see {@link StateHotPath} and sqlite-hot-path.ts. */
export interface HotPath {
  userStates(m: EntityManager, keys: readonly string[]): Promise<UserStateRow[]>;
  deadLetters(m: EntityManager, keys: readonly string[]): Promise<DeadLetterRow[]>;
  upsertUserStates(m: EntityManager, rows: readonly UserStateRow[]): Promise<void>;
  upsertDeadLetters(m: EntityManager, rows: readonly DeadLetterRow[]): Promise<void>;
  deleteDeadLetters(m: EntityManager, keys: readonly string[]): Promise<void>;
  upsertCheckpoint(m: EntityManager, id: string, position: string, at: Date): Promise<void>;
}

/** A user state row as a query returns it (column names of USER_COLUMNS). */
export function userStateRow(r: Record<string, unknown>): UserStateRow {
  return {
    key: String(r['user_key']), sub: String(r['sub']),
    fpProfile: text(r['fp_profile']), fpEmail: text(r['fp_email']), fpPassword: text(r['fp_password']), fpMfa: text(r['fp_mfa']),
    lastPushAt: new Date(Number(r['last_push_at'])), deleted: flag(r['deleted']),
  };
}

/** A dead letter row as a query returns it (column names of DEAD_COLUMNS). */
export function deadLetterRow(r: Record<string, unknown>): DeadLetterRow {
  return {
    key: String(r['user_key']), reason: String(r['reason']), attempts: Number(r['attempts']),
    firstSeen: new Date(Number(r['first_seen'])), lastSeen: new Date(Number(r['last_seen'])), permanent: flag(r['permanent']),
  };
}

/** `INSERT ... VALUES <values>` that updates every column but the first (the key) of an existing row. */
export function upsertSql(dialect: Dialect, table: string, columns: readonly string[], values: string): string {
  const rest = columns.slice(1);
  const update = dialect === 'mysql'
    ? `ON DUPLICATE KEY UPDATE ${rest.map((c) => `${c} = VALUES(${c})`).join(', ')}`
    : `ON CONFLICT (${columns[0]!}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ${update}`;
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
