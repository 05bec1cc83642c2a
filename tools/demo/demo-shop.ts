import pg from 'pg';
import type { DemoUser } from './demo-users.js';
import { SHOP_POSTGRES_TABLES } from './shop-tables.js';

/**
 * The demo's legacy shop database on PostgreSQL: `users` (soft delete in `deleted_at`),
 * `credentials` (one bcrypt hash per user), `totp_devices` (only confirmed devices
 * count) and `orders`, which the sidecar does not read. It is set up the way a DBA
 * would for cidaas-sync: a role with REPLICATION and SELECT, a publication of the three
 * user tables, REPLICA IDENTITY FULL where a delete must carry the user's id.
 */

/** The sidecar's role (LOGIN REPLICATION, SELECT on the user tables). */
export const SIDECAR_ROLE = 'cidaas_sync';
/** The publication of users, credentials and totp_devices. */
export const PUBLICATION = 'cidaas_sync';
/** The database the shop lives in. */
export const SHOP_DATABASE = 'shop';

const DDL = [
  SHOP_POSTGRES_TABLES.users,
  `CREATE TABLE credentials (
    user_id bigint PRIMARY KEY REFERENCES users (id),
    password_hash text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now())`,
  ...SHOP_POSTGRES_TABLES.totpDevices,
  SHOP_POSTGRES_TABLES.orders,
  // A DELETE of a device must say whose it was, not only the device's own id.
  'ALTER TABLE totp_devices REPLICA IDENTITY FULL',
  `CREATE PUBLICATION ${PUBLICATION} FOR TABLE users, credentials, totp_devices`,
  `CREATE ROLE ${SIDECAR_ROLE} LOGIN REPLICATION`,
  `GRANT SELECT ON users, credentials, totp_devices TO ${SIDECAR_ROLE}`,
];

/** What {@link seedShop} inserted. */
export interface SeededShop {
  /** The users' ids, in the order of the generated users. */
  readonly ids: readonly number[];
  /** Users with a confirmed TOTP device. */
  readonly withTotp: number;
}

/** Rows per INSERT statement while seeding (10 parameters a row, below PostgreSQL's 65,535). */
const CHUNK = 1000;

// node-postgres returns int8 as text; the ids here stay far below 2^53.
const int8AsNumber = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** The shop database: a small pool for seeding and for the live changes the demo makes. */
export class DemoShop {
  readonly #pool: pg.Pool;

  private constructor(readonly url: string) {
    this.#pool = new pg.Pool({ connectionString: url, max: 2, types: int8AsNumber });
    this.#pool.on('error', () => undefined); // an idle client ended by the server's shutdown
  }

  /** Creates the shop database on a server (superuser URL to any database) and its tables, role and publication. */
  static async create(server: { urlFor(database: string): string }): Promise<DemoShop> {
    const admin = new pg.Client({ connectionString: server.urlFor('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${SHOP_DATABASE}`);
    } finally {
      await admin.end();
    }
    const shop = new DemoShop(server.urlFor(SHOP_DATABASE));
    for (const ddl of DDL) await shop.#pool.query(ddl);
    return shop;
  }

  /** Inserts the users with their credentials and devices, {@link CHUNK} per transaction; `signal` stops between chunks. */
  async seed(users: readonly DemoUser[], signal: AbortSignal): Promise<SeededShop> {
    const ids: number[] = [];
    for (let start = 0; start < users.length; start += CHUNK) {
      signal.throwIfAborted();
      const chunk = users.slice(start, start + CHUNK);
      ids.push(...(await this.#transaction((c) => insertChunk(c, chunk))));
    }
    // Fresh statistics: the backfill's total comes from the planner's row estimate.
    await this.#pool.query('ANALYZE users');
    return { ids, withTotp: users.filter((u) => u.totp?.confirmed).length };
  }

  /** The user's email now. */
  async emailOf(id: number): Promise<string> {
    const { rows } = await this.#pool.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [id]);
    const email = rows[0]?.email;
    if (email === undefined) throw new Error(`no user ${id} in the shop database`);
    return email;
  }

  /** The user changes their email address. */
  async changeEmail(id: number, email: string): Promise<void> {
    await this.#pool.query('UPDATE users SET email = $2, email_confirmed = true WHERE id = $1', [id, email]);
  }

  /** The user sets a new password: the shop stores its hash. */
  async changePassword(id: number, hash: string): Promise<void> {
    await this.#pool.query('UPDATE credentials SET password_hash = $2, updated_at = now() WHERE user_id = $1', [id, hash]);
  }

  /** The user enrols an authenticator app and confirms it with a first code. */
  async enrolTotp(id: number, secretBase32: string): Promise<void> {
    await this.#transaction(async (c) => {
      const { rows } = await c.query<{ id: number }>('INSERT INTO totp_devices (user_id, secret_base32) VALUES ($1, $2) RETURNING id', [id, secretBase32]);
      await c.query('UPDATE totp_devices SET confirmed = true WHERE id = $1', [rows[0]!.id]);
    });
  }

  /** The shop closes the account the usual way: `deleted_at` is set, the row stays. */
  async softDelete(id: number): Promise<void> {
    await this.#pool.query('UPDATE users SET deleted_at = now() WHERE id = $1', [id]);
  }

  /** A GDPR erasure: the user's rows are deleted, in one transaction. */
  async hardDelete(id: number): Promise<void> {
    await this.#transaction(async (c) => {
      await c.query('DELETE FROM totp_devices WHERE user_id = $1', [id]);
      await c.query('DELETE FROM credentials WHERE user_id = $1', [id]);
      await c.query('UPDATE orders SET user_id = NULL WHERE user_id = $1', [id]);
      await c.query('DELETE FROM users WHERE id = $1', [id]);
    });
  }

  /** A new customer registers (user and password in one transaction); resolves with the id. */
  async register(user: { email: string; firstName: string; lastName: string; passwordHash: string }): Promise<number> {
    return this.#transaction(async (c) => {
      const { rows } = await c.query<{ id: number }>(
        'INSERT INTO users (email, first_name, last_name, email_confirmed) VALUES ($1, $2, $3, false) RETURNING id',
        [user.email, user.firstName, user.lastName],
      );
      const id = rows[0]!.id;
      await c.query('INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)', [id, user.passwordHash]);
      return id;
    });
  }

  /** Closes the pool. */
  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

async function insertChunk(c: pg.PoolClient, users: readonly DemoUser[]): Promise<number[]> {
  const columns = ['email', 'email_confirmed', 'first_name', 'last_name', 'phone', 'login', 'customer_number', 'created_at', 'last_login_at'];
  const values = users.map((u) => [u.email, u.emailConfirmed, u.firstName, u.lastName, u.phone, u.login, u.customerNumber, u.createdAt, u.lastLoginAt]);
  const { rows } = await c.query<{ id: number; email: string }>(
    `INSERT INTO users (${columns.join(', ')}) VALUES ${placeholders(values.length, columns.length)} RETURNING id, email`,
    values.flat(),
  );
  // Matched by email: PostgreSQL does not promise RETURNING in VALUES order.
  const idByEmail = new Map(rows.map((r) => [r.email, r.id]));
  const ids = users.map((u) => {
    const id = idByEmail.get(u.email);
    if (id === undefined) throw new Error(`the insert returned no id for ${u.email}`);
    return id;
  });
  const credentials = users.map((u, k) => [ids[k], u.password.hash]);
  await c.query(`INSERT INTO credentials (user_id, password_hash) VALUES ${placeholders(credentials.length, 2)}`, credentials.flat());
  const devices = users.flatMap((u, k) => (u.totp ? [[ids[k], u.totp.secret, u.totp.confirmed]] : []));
  if (devices.length > 0) {
    await c.query(`INSERT INTO totp_devices (user_id, secret_base32, confirmed) VALUES ${placeholders(devices.length, 3)}`, devices.flat());
  }
  return ids;
}

/** `($1, $2), ($3, $4)` for 2 rows of 2 columns. */
function placeholders(rows: number, columns: number): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`).join(', ');
}
