import { GROUP_NAME_COLUMN, type LegacyReader, type LegacyRow, type LegacyRows, type LegacyTableRole } from './legacy-reader.js';
import { assertUsableKey, keyParam, type LegacyKeyKind } from './legacy-key.js';
import type { SqlDialect } from './sql-dialect.js';
import { keyText } from './digest/row-digest.js';
import { SyncError } from './errors.js';
import type { RowFilter } from './row-filter.js';

/** A configured table and the column holding the legacy user key. */
export interface ReaderTable {
  readonly table: string;
  readonly userKey: string;
  /** The config key naming `userKey`, for messages (`users.key`, `password.userKey`). */
  readonly userKeyConfigKey?: string;
  /** Only rows matching this are read (`filter:` in the configuration). */
  readonly filter?: RowFilter;
  /** `users.keyUniqueByFilter`: the key is unique among the filtered rows though no index says so. */
  readonly keyUniqueByFilter?: boolean;
  /**
   * Also read a name from another table for each row (`users.groups.lookup`): `table`'s `name`
   * where its `key` equals this table's `on` column, as {@link GROUP_NAME_COLUMN} (NULL when none).
   */
  readonly lookup?: { readonly table: string; readonly key: string; readonly name: string; readonly on: string };
}

/** The tables a reader reads: users (its key column in `userKey`) and the optional related tables. */
export interface ReaderTables {
  readonly users: ReaderTable;
  readonly password?: ReaderTable;
  readonly mfa?: ReaderTable;
  readonly attributes?: ReaderTable;
  readonly groups?: ReaderTable;
  readonly identities?: ReaderTable;
}

/** Reads users with one `SELECT *` per configured table for a whole batch. */
export class SqlLegacyReader implements LegacyReader {
  #kinds: Promise<Map<LegacyTableRole, LegacyKeyKind>> | null = null;

  constructor(private readonly dialect: SqlDialect, private readonly tables: ReaderTables) {}

  /**
   * Learns each key column's type, and throws SOURCE_KEY_UNSUPPORTED for one cidaas-sync cannot
   * use (called when a command starts). A failure to reach the database is not thrown here: the
   * first read asks again.
   */
  async prepare(): Promise<void> {
    try {
      await this.#keyKinds();
    } catch (err) {
      if (err instanceof SyncError) throw err;
    }
  }

  #keyKinds(): Promise<Map<LegacyTableRole, LegacyKeyKind>> {
    this.#kinds ??= this.#learnKeyKinds();
    const p = this.#kinds;
    // Not remembered when it failed to reach the database: the next read asks again.
    p.catch((err: unknown) => { if (!(err instanceof SyncError) && this.#kinds === p) this.#kinds = null; });
    return p;
  }

  async #learnKeyKinds(): Promise<Map<LegacyTableRole, LegacyKeyKind>> {
    const kinds = new Map<LegacyTableRole, LegacyKeyKind>();
    const roles = Object.entries(this.tables) as [LegacyTableRole, ReaderTable | undefined][];
    for (const [role, t] of roles) {
      if (!t) continue;
      if (!this.dialect.keyColumn) { kinds.set(role, 'text'); continue; }
      const info = await this.dialect.keyColumn(t.table, t.userKey);
      kinds.set(role, assertUsableKey(info, {
        table: t.table, column: t.userKey, configKey: t.userKeyConfigKey ?? (role === 'users' ? 'users.key' : `${role}.userKey`), root: role === 'users',
        uniqueByFilter: t.keyUniqueByFilter === true,
      }));
    }
    return kinds;
  }

  /** The filter's condition (` AND ...`) with its parameters, placeholders numbered from `first`. */
  #filterSql(t: ReaderTable, first: number, qualifier = ''): { sql: string; params: unknown[] } {
    const d = this.dialect;
    let sql = '';
    const params: unknown[] = [];
    for (const [column, values] of Object.entries(t.filter ?? {})) {
      const c = d.inList(qualifier + d.quoteIdent(column), values, first + params.length);
      sql += ` AND ${c.sql}`;
      params.push(...c.params);
    }
    return { sql, params };
  }

  async #rowsByKey(t: ReaderTable, kind: LegacyKeyKind, keys: readonly string[]): Promise<Map<string, LegacyRow[]>> {
    const d = this.dialect;
    // With a lookup, the table's own columns are qualified (both tables may have an `id`).
    const own = t.lookup ? 't.' : '';
    const cond = d.inList(own + d.quoteIdent(t.userKey), keys.map((k) => keyParam(kind, k)), 1);
    const filter = this.#filterSql(t, 1 + cond.params.length, own);
    const from = t.lookup
      ? `SELECT t.*, l.${d.quoteIdent(t.lookup.name)} AS ${d.quoteIdent(GROUP_NAME_COLUMN)} FROM ${d.quoteTable(t.table)} t`
        + ` LEFT JOIN ${d.quoteTable(t.lookup.table)} l ON l.${d.quoteIdent(t.lookup.key)} = t.${d.quoteIdent(t.lookup.on)}`
      : `SELECT * FROM ${d.quoteTable(t.table)}`;
    const rows = await d.query(`${from} WHERE ${cond.sql}${filter.sql}`, [...cond.params, ...filter.params]);
    const out = new Map<string, LegacyRow[]>();
    for (const r of rows) {
      const k = keyText(r[t.userKey]);
      if (k === null) continue;
      const list = out.get(k);
      if (list) list.push(r);
      else out.set(k, [r]);
    }
    return out;
  }

  async readUsers(keys: readonly string[]): Promise<Map<string, LegacyRows>> {
    if (keys.length === 0) return new Map();
    const kind = (await this.#keyKinds()).get('users')!;
    return this.#readWith(keys, this.#rowsByKey(this.tables.users, kind, keys));
  }

  async readPage(afterKey: string | null, limit: number): Promise<Map<string, LegacyRows>> {
    const rows = await this.#page('*', afterKey, limit);
    const userKey = this.tables.users.userKey;
    const users = new Map<string, LegacyRow[]>();
    for (const r of rows) {
      const k = keyText(r[userKey]);
      if (k !== null) users.set(k, [r]);
    }
    return this.#readWith([...users.keys()], Promise.resolve(users));
  }

  /** The rows of `keys`: their users rows from `usersRead`, the other tables read now. */
  async #readWith(keys: readonly string[], usersRead: Promise<Map<string, LegacyRow[]>>): Promise<Map<string, LegacyRows>> {
    const result = new Map<string, LegacyRows>();
    if (keys.length === 0) {
      await usersRead;
      return result;
    }
    const t = this.tables;
    const kinds = await this.#keyKinds();
    const read = (role: LegacyTableRole, table: ReaderTable | undefined) => table ? this.#rowsByKey(table, kinds.get(role)!, keys) : undefined;
    const [users, password, mfa, attributes, groups, identities] = await Promise.all([
      usersRead, read('password', t.password), read('mfa', t.mfa), read('attributes', t.attributes), read('groups', t.groups), read('identities', t.identities),
    ]);
    for (const key of keys) {
      result.set(key, {
        key,
        user: users.get(key)?.[0] ?? null,
        password: password?.get(key) ?? [],
        mfa: mfa?.get(key) ?? [],
        attributes: attributes?.get(key) ?? [],
        ...(groups ? { groups: groups.get(key) ?? [] } : {}),
        ...(identities ? { identities: identities.get(key) ?? [] } : {}),
      });
    }
    return result;
  }

  async pageKeys(afterKey: string | null, limit: number): Promise<string[]> {
    const rows = await this.#page(`${this.dialect.quoteIdent(this.tables.users.userKey)} AS k`, afterKey, limit);
    return rows.map((r) => keyText(r.k)).filter((x): x is string => x !== null);
  }

  /** `what` of up to `limit` users rows (matching the users filter) after `afterKey`, in key order. */
  async #page(what: string, afterKey: string | null, limit: number): Promise<LegacyRow[]> {
    const d = this.dialect;
    const kind = (await this.#keyKinds()).get('users')!;
    const users = this.tables.users;
    const k = d.quoteIdent(users.userKey);
    const table = d.quoteTable(users.table);
    const params: unknown[] = afterKey === null ? [] : [keyParam(kind, afterKey)];
    const filter = this.#filterSql(users, params.length + 1);
    const where = [afterKey === null ? null : `${k} > ${d.placeholder(1)}`, filter.sql ? filter.sql.slice(' AND '.length) : null].filter((x) => x !== null);
    return d.query(
      `SELECT ${what} FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${k} LIMIT ${Math.trunc(limit)}`,
      [...params, ...filter.params]);
  }

  /**
   * The distinct values of `column` in the membership (`groups`, the looked-up names with
   * `lookup`) or linked accounts (`identities`) table, at most `limit`: what `check` asks the
   * tenant about. `null` when there are more than `limit` (too many to check one by one). Empty
   * without that table.
   */
  async distinctValues(role: 'groups' | 'identities', column: string, limit: number): Promise<string[] | null> {
    const t = this.tables[role];
    if (!t) return [];
    const d = this.dialect;
    const filter = this.#filterSql(t, 1, 't.');
    const what = t.lookup ? `l.${d.quoteIdent(t.lookup.name)}` : `t.${d.quoteIdent(column)}`;
    const join = t.lookup ? ` JOIN ${d.quoteTable(t.lookup.table)} l ON l.${d.quoteIdent(t.lookup.key)} = t.${d.quoteIdent(t.lookup.on)}` : '';
    const rows = await d.query(
      `SELECT DISTINCT ${what} AS g FROM ${d.quoteTable(t.table)} t${join} WHERE ${what} IS NOT NULL${filter.sql} LIMIT ${Math.trunc(limit) + 1}`, filter.params);
    if (rows.length > limit) return null;
    return rows.map((r) => (r.g instanceof Uint8Array ? Buffer.from(r.g).toString('utf8') : String(r.g)).trim()).filter((g) => g !== '').sort();
  }

  estimateUserCount(): Promise<number> {
    return this.dialect.estimateRows(this.tables.users.table);
  }

  close(): Promise<void> {
    return this.dialect.close();
  }
}
