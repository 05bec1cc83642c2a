import mysql from 'mysql2/promise';
import pg from 'pg';
import { MARIADB_SHOP_DDL, POSTGRES_SHOP_DDL } from './shop-ddl.js';
import { mysqlExecutor, pgTypes, postgresExecutor, type Executor } from './shop-executor.js';

/**
 * A realistic legacy "shop" schema, the same logical shape on PostgreSQL and MariaDB:
 * `users` (the root table, soft delete in `deleted_at`), `credentials` (one password
 * hash per user), `totp_devices` (any number of TOTP devices per user; only confirmed
 * ones count) and an unrelated `orders` table whose changes the sidecar must ignore.
 * {@link ShopDb} is the small client tests change these rows with.
 */

/** Which database a shop schema lives in. */
export type ShopDbKind = 'postgres' | 'mysql';

/** A database to put the shop schema in: its superuser URL and kind. */
export interface ShopDbTarget {
  readonly url: string;
  readonly kind: ShopDbKind;
}

/** Options of {@link createShopSchema}. */
export interface ShopSchemaOptions {
  /** PostgreSQL: also create this publication for users, credentials and totp_devices. Ignored on MariaDB. */
  publication?: string;
}

/** The columns of a `users` row that tests may set (column names as in the table). */
export interface ShopUserFields {
  email?: string;
  email_confirmed?: boolean;
  first_name?: string | null;
  last_name?: string | null;
  /** E.164, e.g. +4915112345678. */
  phone?: string | null;
  login?: string | null;
  customer_number?: string | null;
  deleted_at?: Date | null;
  last_login_at?: Date | null;
  created_at?: Date;
}

/** A new `users` row: an email is required, everything else is optional. */
export type NewShopUser = ShopUserFields & { email: string };

/** A `users` row as {@link ShopDb.getUser} returns it (booleans as booleans on both databases). */
export interface ShopUser {
  readonly id: number;
  readonly email: string;
  readonly email_confirmed: boolean;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly phone: string | null;
  readonly login: string | null;
  readonly customer_number: string | null;
  readonly deleted_at: Date | null;
  readonly last_login_at: Date | null;
  readonly created_at: Date;
}

/** A row as the driver returns it (PostgreSQL bigint columns are parsed to numbers here). */
export type ShopRow = Record<string, unknown>;

/** The tables of the shop schema. */
export type ShopTable = 'users' | 'credentials' | 'totp_devices' | 'orders';

/**
 * The helpers tests change the shop schema with; the same on both databases. Every
 * helper is one statement or one transaction, so each is one transaction in the log.
 */
export interface ShopQueries {
  readonly kind: ShopDbKind;
  /** Inserts a `users` row; resolves with its id. */
  insertUser(user: NewShopUser): Promise<number>;
  /** Sets the given columns of one user. */
  updateUser(id: number, fields: ShopUserFields): Promise<void>;
  /** Inserts or replaces the user's `credentials` row. */
  setPassword(id: number, hash: string): Promise<void>;
  /** Replaces the user's TOTP devices by one device with this secret, or by none (null). */
  setTotp(id: number, secretBase32: string | null, confirmed: boolean): Promise<void>;
  /** Sets `deleted_at` to now. */
  softDelete(id: number): Promise<void>;
  /** Deletes the user's credentials and TOTP devices, then the user, in one transaction. */
  hardDelete(id: number): Promise<void>;
  /** Sets `last_login_at` to now (an ignored column: must never cost a push). */
  touchLastLogin(id: number): Promise<void>;
  /** Inserts an order (a table the sidecar does not read); resolves with its id. */
  insertOrder(userId?: number, total?: number): Promise<number>;
  /** The `users` row, or undefined. */
  getUser(id: number): Promise<ShopUser | undefined>;
  /**
   * Runs SQL with `?` placeholders on both databases (turned into `$n` on PostgreSQL,
   * outside quoted text); resolves with the rows (empty for statements without rows).
   */
  query(sql: string, params?: readonly unknown[]): Promise<ShopRow[]>;
  /** Multi-row INSERT of `rows` (values in `columns` order) into `table`, in one statement. */
  insertMany(table: ShopTable, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
}

/** A {@link ShopQueries} client on a connection pool. */
export interface ShopDb extends ShopQueries {
  readonly url: string;
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: ShopQueries) => Promise<T>): Promise<T>;
  /** Closes the pool. */
  close(): Promise<void>;
}

const USER_COLUMNS: ReadonlySet<string> = new Set([
  'email', 'email_confirmed', 'first_name', 'last_name', 'phone', 'login', 'customer_number',
  'deleted_at', 'last_login_at', 'created_at',
]);
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Creates the shop tables (and on PostgreSQL the publication) in an empty database. */
export async function createShopSchema(db: ShopDbTarget, opts: ShopSchemaOptions = {}): Promise<void> {
  const shop = await openShopDb(db);
  try {
    for (const ddl of db.kind === 'postgres' ? POSTGRES_SHOP_DDL : MARIADB_SHOP_DDL) await shop.query(ddl);
    if (db.kind === 'postgres' && opts.publication !== undefined) {
      if (!IDENTIFIER.test(opts.publication)) throw new Error(`not a plain publication name: ${opts.publication}`);
      await shop.query(`CREATE PUBLICATION ${opts.publication} FOR TABLE users, credentials, totp_devices`);
    }
  } finally {
    await shop.close();
  }
}

/** Opens a {@link ShopDb} on a small pool. */
export async function openShopDb(db: ShopDbTarget): Promise<ShopDb> {
  if (db.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: db.url, max: 4, types: pgTypes });
    pool.on('error', () => undefined); // an idle client killed by a test's DROP DATABASE must not crash the run
    return new PoolShopDb(db, postgresExecutor(pool), {
      begin: async () => {
        const client = await pool.connect();
        await client.query('BEGIN');
        return { executor: postgresExecutor(client), commit: () => client.query('COMMIT').then(() => undefined), rollback: () => client.query('ROLLBACK').then(() => undefined), release: () => client.release() };
      },
      close: () => pool.end(),
    });
  }
  const pool = mysql.createPool({ uri: db.url, connectionLimit: 4 });
  return new PoolShopDb(db, mysqlExecutor(pool), {
    begin: async () => {
      const conn = await pool.getConnection();
      await conn.beginTransaction();
      return { executor: mysqlExecutor(conn), commit: () => conn.commit(), rollback: () => conn.rollback(), release: () => conn.release() };
    },
    close: () => pool.end(),
  });
}

interface Transaction {
  executor: Executor;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  release(): void;
}

interface PoolControl {
  begin(): Promise<Transaction>;
  close(): Promise<void>;
}

class Queries implements ShopQueries {
  constructor(
    readonly kind: ShopDbKind,
    protected readonly executor: Executor,
  ) {}

  /** Runs `fn` atomically; inside a transaction that is simply the transaction. */
  protected atomic<T>(fn: (q: ShopQueries) => Promise<T>): Promise<T> {
    return fn(this);
  }

  get #now(): string {
    return this.kind === 'postgres' ? 'now()' : 'NOW(6)';
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<ShopRow[]> {
    return (await this.executor.run(sql, params)).rows;
  }

  async insertUser(user: NewShopUser): Promise<number> {
    const [columns, values] = userColumns(user);
    const sql = `INSERT INTO users (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    return this.#insertReturningId(sql, values);
  }

  async updateUser(id: number, fields: ShopUserFields): Promise<void> {
    const [columns, values] = userColumns(fields);
    if (columns.length === 0) return;
    await this.query(`UPDATE users SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...values, id]);
  }

  async setPassword(id: number, hash: string): Promise<void> {
    const upsert =
      this.kind === 'postgres'
        ? 'ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = EXCLUDED.updated_at'
        : 'ON DUPLICATE KEY UPDATE password_hash = VALUES(password_hash), updated_at = VALUES(updated_at)';
    await this.query(`INSERT INTO credentials (user_id, password_hash, updated_at) VALUES (?, ?, ${this.#now}) ${upsert}`, [id, hash]);
  }

  async setTotp(id: number, secretBase32: string | null, confirmed: boolean): Promise<void> {
    await this.atomic(async (q) => {
      await q.query('DELETE FROM totp_devices WHERE user_id = ?', [id]);
      if (secretBase32 !== null) {
        await q.query('INSERT INTO totp_devices (user_id, secret_base32, confirmed) VALUES (?, ?, ?)', [id, secretBase32, confirmed]);
      }
    });
  }

  async softDelete(id: number): Promise<void> {
    await this.query(`UPDATE users SET deleted_at = ${this.#now} WHERE id = ?`, [id]);
  }

  async hardDelete(id: number): Promise<void> {
    await this.atomic(async (q) => {
      await q.query('DELETE FROM credentials WHERE user_id = ?', [id]);
      await q.query('DELETE FROM totp_devices WHERE user_id = ?', [id]);
      await q.query('DELETE FROM users WHERE id = ?', [id]);
    });
  }

  async touchLastLogin(id: number): Promise<void> {
    await this.query(`UPDATE users SET last_login_at = ${this.#now} WHERE id = ?`, [id]);
  }

  async insertOrder(userId?: number, total = 42.5): Promise<number> {
    return this.#insertReturningId('INSERT INTO orders (user_id, total) VALUES (?, ?)', [userId ?? null, total]);
  }

  async getUser(id: number): Promise<ShopUser | undefined> {
    const [row] = await this.query('SELECT * FROM users WHERE id = ?', [id]);
    if (row === undefined) return undefined;
    return { ...row, id: Number(row['id']), email_confirmed: Boolean(Number(row['email_confirmed'])) } as unknown as ShopUser;
  }

  async insertMany(table: ShopTable, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    for (const c of columns) if (!IDENTIFIER.test(c)) throw new Error(`not a plain column name: ${c}`);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    await this.query(sql, rows.flat());
  }

  async #insertReturningId(sql: string, params: readonly unknown[]): Promise<number> {
    const result = await this.executor.run(this.kind === 'postgres' ? `${sql} RETURNING id` : sql, params);
    const id = this.kind === 'postgres' ? result.rows[0]?.['id'] : result.insertId;
    if (typeof id !== 'number') throw new Error('the INSERT returned no id');
    return id;
  }
}

class PoolShopDb extends Queries implements ShopDb {
  readonly url: string;

  constructor(target: ShopDbTarget, executor: Executor, private readonly control: PoolControl) {
    super(target.kind, executor);
    this.url = target.url;
  }

  protected override atomic<T>(fn: (q: ShopQueries) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  async transaction<T>(fn: (tx: ShopQueries) => Promise<T>): Promise<T> {
    const tx = await this.control.begin();
    try {
      const result = await fn(new Queries(this.kind, tx.executor));
      await tx.commit();
      return result;
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  close(): Promise<void> {
    return this.control.close();
  }
}

function userColumns(fields: ShopUserFields): [string[], unknown[]] {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!USER_COLUMNS.has(column)) throw new Error(`users has no column ${column} the shop helpers may set`);
    columns.push(column);
    values.push(value);
  }
  return [columns, values];
}
