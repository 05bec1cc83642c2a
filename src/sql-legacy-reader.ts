import type { LegacyReader, LegacyRow, LegacyRows } from './legacy-reader.js';
import { keyText } from './row-digest.js';

/** What a SQL database must provide for {@link SqlLegacyReader}. Implemented per adapter. */
export interface SqlDialect {
  /** Quotes a possibly qualified table name (`public.users`). */
  quoteTable(name: string): string;
  quoteIdent(name: string): string;
  /** A condition `column` in `values`, with its parameters, numbering placeholders from `first` (1-based). */
  inList(column: string, values: readonly string[], first: number): { sql: string; params: unknown[] };
  /** The n-th placeholder (1-based). */
  placeholder(n: number): string;
  query(sql: string, params: readonly unknown[]): Promise<LegacyRow[]>;
  /** The table's row count estimate (planner statistics), or an exact count when cheap. */
  estimateRows(table: string): Promise<number>;
  close(): Promise<void>;
}

/** A configured table and the column holding the legacy user key. */
export interface ReaderTable {
  readonly table: string;
  readonly userKey: string;
}

/** The tables a reader reads: users (its key column in `userKey`) and the optional related tables. */
export interface ReaderTables {
  readonly users: ReaderTable;
  readonly password?: ReaderTable;
  readonly mfa?: ReaderTable;
  readonly attributes?: ReaderTable;
}

/** Reads users with one `SELECT *` per configured table for a whole batch. */
export class SqlLegacyReader implements LegacyReader {
  constructor(private readonly dialect: SqlDialect, private readonly tables: ReaderTables) {}

  async #rowsByKey(t: ReaderTable, keys: readonly string[]): Promise<Map<string, LegacyRow[]>> {
    const d = this.dialect;
    const cond = d.inList(d.quoteIdent(t.userKey), keys, 1);
    const rows = await d.query(`SELECT * FROM ${d.quoteTable(t.table)} WHERE ${cond.sql}`, cond.params);
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

  readUsers(keys: readonly string[]): Promise<Map<string, LegacyRows>> {
    return this.#readWith(keys, this.#rowsByKey(this.tables.users, keys));
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

  /** The rows of `keys`: their users rows from `users`, the other tables read now. */
  async #readWith(keys: readonly string[], usersRead: Promise<Map<string, LegacyRow[]>>): Promise<Map<string, LegacyRows>> {
    const result = new Map<string, LegacyRows>();
    if (keys.length === 0) {
      await usersRead;
      return result;
    }
    const t = this.tables;
    const [users, password, mfa, attributes] = await Promise.all([
      usersRead,
      t.password ? this.#rowsByKey(t.password, keys) : undefined,
      t.mfa ? this.#rowsByKey(t.mfa, keys) : undefined,
      t.attributes ? this.#rowsByKey(t.attributes, keys) : undefined,
    ]);
    for (const key of keys) {
      result.set(key, {
        key,
        user: users.get(key)?.[0] ?? null,
        password: password?.get(key) ?? [],
        mfa: mfa?.get(key) ?? [],
        attributes: attributes?.get(key) ?? [],
      });
    }
    return result;
  }

  async pageKeys(afterKey: string | null, limit: number): Promise<string[]> {
    const rows = await this.#page(`${this.dialect.quoteIdent(this.tables.users.userKey)} AS k`, afterKey, limit);
    return rows.map((r) => keyText(r.k)).filter((x): x is string => x !== null);
  }

  /** `what` of up to `limit` users rows after `afterKey`, in key order. */
  #page(what: string, afterKey: string | null, limit: number): Promise<LegacyRow[]> {
    const d = this.dialect;
    const k = d.quoteIdent(this.tables.users.userKey);
    const table = d.quoteTable(this.tables.users.table);
    return afterKey === null
      ? d.query(`SELECT ${what} FROM ${table} ORDER BY ${k} LIMIT ${Math.trunc(limit)}`, [])
      : d.query(`SELECT ${what} FROM ${table} WHERE ${k} > ${d.placeholder(1)} ORDER BY ${k} LIMIT ${Math.trunc(limit)}`, [afterKey]);
  }

  estimateUserCount(): Promise<number> {
    return this.dialect.estimateRows(this.tables.users.table);
  }

  close(): Promise<void> {
    return this.dialect.close();
  }
}
