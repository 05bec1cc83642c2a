import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { PostgresDialect } from '../../../adapters/postgres/postgres-dialect.js';
import type { Config } from '../../../config/config-schema.js';
import { parseConfig } from '../../../config/load-config.js';
import { readerTables } from '../../../src/app/pipeline-tables.js';
import { CidaasClient } from '../../../src/cidaas/cidaas-client.js';
import { userToWire } from '../../../src/cidaas/cidaas-user.js';
import { startEmulator, type RunningEmulator, type StoredUser } from '../../../tools/emulator/cidaas-emulator.js';
import { fingerprintUser } from '../../../src/digest/fingerprints.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { Secret } from '../../../src/secret.js';
import { SqlLegacyReader } from '../../../src/sql-legacy-reader.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import type { OutcomeRecord, StateStore } from '../../../src/state/state-store.js';
import { UserMapper } from '../../../src/user-mapper.js';
import { ownedFieldsOf } from '../../../src/verify/owned-fields.js';
import { verifyUsers, type VerifyUsersOptions } from '../../../src/verify/verify-users.js';
import type { VerifyReport } from '../../../src/verify/verify-report.js';
import { createPostgresDatabase, type PostgresTestDatabase } from '../../support/servers.js';

const CLIENT_ID = 'verify-client';
const CLIENT_SECRET = 'verify-client-secret';
/** When the "finished sync" pushed everyone: long enough ago that a change in cidaas now is clearly later. */
export const PUSHED_AT = new Date(Date.now() - 10 * 60_000);

const BCRYPT_CHARS = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A well-formed bcrypt hash (cost 4) with random content: the emulator checks the format, not a password. */
export function bcryptHash(): string {
  let s = '$2b$04$';
  for (const b of randomBytes(53)) s += BCRYPT_CHARS[b % 64];
  return s;
}

/** A random TOTP secret, base32. */
export function totpSecret(): string {
  return base32Encode(randomBytes(20));
}

const SCHEMA = `
  DROP TABLE IF EXISTS totp_devices, credentials, users;
  CREATE TABLE users (
    id integer PRIMARY KEY, email text, email_confirmed boolean NOT NULL DEFAULT false,
    first_name text, last_name text, phone text, login text, locale text, customer_number text,
    deleted_at timestamptz);
  CREATE TABLE credentials (user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE, password_hash text);
  CREATE TABLE totp_devices (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_base32 text NOT NULL, confirmed boolean NOT NULL);`;

/** Everything a verify test works with. `useVerifyWorld` rebuilds the data before each test. */
export interface VerifyWorld {
  readonly db: PostgresTestDatabase;
  readonly sql: pg.Pool;
  readonly emu: RunningEmulator;
  readonly client: CidaasClient;
  readonly config: Config;
  readonly mapper: UserMapper;
  readonly reader: SqlLegacyReader;
  readonly store: StateStore;
  readonly logger: MemoryLogger;
  /** Every password hash and TOTP secret written anywhere in the test: none may show in a report or log. */
  readonly secrets: Set<string>;
  /** The legacy keys, in key order. */
  readonly keys: string[];
  sub(key: string | number): string;
  /** The emulator's stored user of a legacy key (with its hash and secret). */
  stored(key: string | number): StoredUser;
  /** Replaces the emulator's user of a legacy key with `change(stored)`; `updatedTime` now unless the change keeps it. */
  alter(key: string | number, change: (u: Record<string, unknown>) => Record<string, unknown>): void;
  /** Maps every legacy user and leaves what a finished sync leaves: the users in the emulator, the outcomes in the state store. */
  pushAll(): Promise<void>;
  /** Runs verify with the test defaults (small pages, quick page retries) and `options`. */
  verify(options?: Partial<VerifyUsersOptions>): Promise<VerifyReport>;
}

/** The legacy users of a world: 40 users, most with a password, some with TOTP devices. */
async function seedLegacy(sql: pg.Pool, secrets: Set<string>, count: number): Promise<void> {
  await sql.query(SCHEMA);
  const users: unknown[][] = [];
  const creds: unknown[][] = [];
  const devices: unknown[][] = [];
  for (let i = 1; i <= count; i++) {
    users.push([i, `user${i}@example.com`, i % 2 === 0, `Given${i}`, `Family${i}`, `+49151${String(i).padStart(7, '0')}`, `login${i}`, 'de-DE', `C-${i}`]);
    if (i % 10 !== 0) {
      const h = bcryptHash();
      secrets.add(h);
      creds.push([i, h]);
    }
    if (i % 3 === 0 || i % 7 === 0) {
      const s = totpSecret();
      secrets.add(s);
      devices.push([i, s, i % 3 === 0]);
    }
  }
  const insert = async (table: string, columns: string, rows: unknown[][]): Promise<void> => {
    for (const row of rows) {
      await sql.query(`INSERT INTO ${table} (${columns}) VALUES (${row.map((_, j) => `$${j + 1}`).join(', ')})`, row);
    }
  };
  await insert('users', 'id, email, email_confirmed, first_name, last_name, phone, login, locale, customer_number', users);
  await insert('credentials', 'user_id, password_hash', creds);
  await insert('totp_devices', 'user_id, secret_base32, confirmed', devices);
}

/**
 * A legacy PostgreSQL database (users, credentials, totp_devices), the emulator over HTTP, a
 * cidaas client and a state store on a temporary SQLite file, with `count` users pushed as a
 * finished sync leaves them. Rebuilt before each test; torn down after the describe.
 */
export function useVerifyWorld(count = 40): VerifyWorld {
  let db: PostgresTestDatabase;
  let sql: pg.Pool;
  let emu: RunningEmulator;
  let client: CidaasClient;
  let config: Config;
  let mapper: UserMapper;
  let reader: SqlLegacyReader;
  let store: StateStore | undefined;
  let dir: string;
  let logger = new MemoryLogger();
  const secrets = new Set<string>();
  const keys = Array.from({ length: count }, (_, i) => String(i + 1));

  before(async () => {
    db = await createPostgresDatabase('verify');
    sql = new pg.Pool({ connectionString: db.url, max: 2 });
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    dir = await mkdtemp(join(tmpdir(), 'cidaas-verify-'));
    config = await parseConfig(stringify({
      source: { kind: 'postgres', url: db.url },
      users: {
        table: 'public.users', key: 'id', softDelete: { column: 'deleted_at' },
        fields: { email: 'email', email_verified: 'email_confirmed', given_name: 'first_name', family_name: 'last_name', mobile_number: 'phone', username: 'login', locale: 'locale' },
        customFields: { customer_no: 'customer_number' },
      },
      password: { table: 'public.credentials', userKey: 'user_id', hash: 'password_hash' },
      mfa: { table: 'public.totp_devices', userKey: 'user_id', secret: 'secret_base32', enabled: 'confirmed' },
      sub: { prefix: 'legacy-' },
      cidaas: { baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, allowEmulator: true },
      state: { url: `sqlite:${join(dir, 'unused.db')}` },
    }), { baseDir: dir, env: {} });
    mapper = new UserMapper(config);
    reader = new SqlLegacyReader(new PostgresDialect(new Secret(db.url)), readerTables(config));
  });
  beforeEach(async () => {
    logger = new MemoryLogger();
    client = new CidaasClient({
      baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: new Secret(CLIENT_SECRET), logger, connections: 16, allowEmulator: true,
      retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    });
    emu.reset();
    secrets.clear();
    await seedLegacy(sql, secrets, count);
    await store?.close();
    store = await openStateStore(`sqlite:${join(dir, `state-${Date.now()}-${Math.random().toString(36).slice(2)}.db`)}`);
    await world.pushAll();
  });
  afterEach(async () => {
    await client.close();
  });
  after(async () => {
    await store?.close();
    await reader?.close();
    await sql?.end();
    await emu?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const world: VerifyWorld = {
    get db() { return db; },
    get sql() { return sql; },
    get emu() { return emu; },
    get client() { return client; },
    get config() { return config; },
    get mapper() { return mapper; },
    get reader() { return reader; },
    get store() { return store!; },
    get logger() { return logger; },
    secrets,
    keys,
    sub: (key) => `legacy-${key}`,
    stored(key) {
      const u = emu.getUser(`legacy-${key}`);
      if (!u) throw new Error(`the emulator has no user legacy-${key}`);
      return u;
    },
    alter(key, change) {
      const { updatedTime: _kept, ...rest } = world.stored(key);
      emu.seed([change({ ...rest })]);
    },
    async pushAll() {
      const rows = await reader.readUsers(keys);
      const seeded: unknown[] = [];
      const outcomes: OutcomeRecord[] = [];
      for (const key of keys) {
        const m = await mapper.map(rows.get(key)!);
        if (m.kind === 'upsert') {
          seeded.push({ ...userToWire(m.user), updatedTime: PUSHED_AT.toISOString() });
          outcomes.push({ kind: 'pushed', key, sub: m.sub, fingerprints: fingerprintUser(m.user, store!.fingerprintKey()), at: PUSHED_AT });
        } else if (m.kind === 'invalid') {
          outcomes.push({ kind: 'dead', key, reason: m.reason, at: PUSHED_AT, permanent: true });
        }
      }
      emu.seed(seeded);
      await store!.recordOutcomes(outcomes);
    },
    verify(options = {}) {
      return verifyUsers({
        reader, mapper, client, store: store!, logger,
        pageSize: 10, ownedFields: ownedFieldsOf(config), pageRetryDelayMs: 5,
        ...options,
      });
    },
  };
  return world;
}
