import { SyncError, ExitCode } from './errors.js';

/**
 * How a key column's values travel: the text form the engine, the state store and the sub use
 * (see `keyText`), and back to a typed SQL parameter that matches the column.
 *
 * - `integer`: digits (`42`, `18446744073709551615`); the parameter is a BigInt, so a BIGINT
 *   UNSIGNED key is never compared as a floating-point number (MySQL does that for a string).
 * - `text`: the value itself (text, varchar, char, uuid).
 * - `bytes`: `hex:` and the bytes in lower-case hex (bytea, BINARY, VARBINARY); the parameter is
 *   the bytes, never the text, which would match nothing.
 */
export type LegacyKeyKind = 'integer' | 'text' | 'bytes';

/** What the database says about a key column, as a dialect reports it. */
export interface KeyColumnInfo {
  /** The column's type as the database names it, for messages (`bytea`, `binary(16)`). */
  readonly type: string;
  /** How its values travel, or `null` for a type cidaas-sync cannot use as a key. */
  readonly kind: LegacyKeyKind | null;
  /**
   * The table's primary key columns, or null when it has none. With `unique`, tells whether
   * one key value can name several rows.
   */
  readonly primaryKey: readonly string[] | null;
  /** True when a primary key or unique index holds exactly this column. */
  readonly unique: boolean;
}

const BYTES_PREFIX = 'hex:';

/** The SQL parameter for a key in its text form; throws a SyncError for a text that is no such key. */
export function keyParam(kind: LegacyKeyKind, text: string): string | bigint | Buffer {
  switch (kind) {
    case 'text':
      return text;
    case 'integer':
      if (!/^-?\d{1,20}$/.test(text)) throw malformed(text, 'an integer key is digits, e.g. 42');
      return BigInt(text);
    case 'bytes': {
      const hex = text.startsWith(BYTES_PREFIX) ? text.slice(BYTES_PREFIX.length) : '';
      if (!text.startsWith(BYTES_PREFIX) || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) {
        throw malformed(text, 'a binary key is written hex: and its bytes in lower-case hex, e.g. hex:0a1b');
      }
      return Buffer.from(hex, 'hex');
    }
  }
}

/**
 * The legacy key a user typed (`preview --key`, `dlq retry --key`) or a stored one could not be a
 * value of the key column.
 */
function malformed(text: string, what: string): SyncError {
  return new SyncError('USAGE', `the legacy key ${JSON.stringify(text.slice(0, 80))} is not a value of the key column: ${what}`, {
    hint: 'give the key as cidaas-sync prints it (status, dlq list, verify)',
  });
}

/**
 * Throws when `column` of `table` cannot serve as the key `configKey` names: a type without a
 * text form that round-trips, or (on the users table) a column that does not identify one row.
 */
export function assertUsableKey(info: KeyColumnInfo | null, where: { table: string; column: string; configKey: string; root: boolean; uniqueByFilter?: boolean }): LegacyKeyKind {
  const name = `${where.table}.${where.column} (${where.configKey})`;
  if (info === null) {
    throw new SyncError('SOURCE_KEY_UNSUPPORTED', `the key column ${name} does not exist or is not visible to the cidaas-sync user`, {
      exitCode: ExitCode.preflight,
      hint: `set ${where.configKey} to an existing column, or GRANT SELECT on ${where.table}; \`cidaas-sync check\` lists the table's columns`,
    });
  }
  if (info.kind === null) {
    throw new SyncError('SOURCE_KEY_UNSUPPORTED', `the key column ${name} has type ${info.type}, which cidaas-sync cannot use as a user key`, {
      exitCode: ExitCode.preflight,
      hint: `point ${where.configKey} at a column of an integer, text/varchar/char, uuid or binary (bytea, BINARY, VARBINARY) type`,
    });
  }
  if (where.root && !info.unique && info.primaryKey !== null && where.uniqueByFilter !== true) {
    throw new SyncError('SOURCE_KEY_UNSUPPORTED',
      `the key column ${name} does not identify one user: the primary key is (${info.primaryKey.join(', ')}) and no unique index holds ${where.column} alone`, {
        exitCode: ExitCode.preflight,
        hint: `point ${where.configKey} at a single unique column, or have the DBA add one (for example CREATE UNIQUE INDEX ON ${where.table} (${where.column}) when it is unique already); a composite key cannot be a cidaas sub`,
      });
  }
  return info.kind;
}

/**
 * Throws unless a page of keys read after `previous` (the page before it, in key order) moved
 * strictly past it. Paging by `key > last` repeats a page only when the last key does not
 * round-trip to the column's value; without this check a backfill would re-read it forever.
 */
export function assertPageAdvanced(previous: readonly string[], page: readonly string[], column: string): void {
  if (previous.length === 0 || page.length === 0) return;
  const seen = new Set(previous);
  const again = page.find((k) => seen.has(k));
  if (again === undefined) return;
  throw new SyncError('SOURCE_KEY_UNSUPPORTED',
    `paging the users by ${column} did not advance: the key ${JSON.stringify(again.slice(0, 80))} came back after itself, so reading after a key does not match the column's values`, {
      hint: `cidaas-sync stopped rather than read the same users forever; report the column's type (\`cidaas-sync check\` shows it) and point users.key at an integer, text, uuid or binary column meanwhile`,
    });
}
