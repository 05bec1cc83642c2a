import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { base32Encode } from '../../src/mfa/base32.js';
import { seededRandom } from '../../tools/seeded-random.js';
import type { ShopDb, ShopQueries } from './shop-schema.js';

/**
 * Deterministic shop users for tests: the same seed gives the same users (names, emails,
 * phones, which password, which TOTP secret) in every run. Bcrypt is slow on purpose,
 * so the passwords come from a pool of {@link PASSWORD_POOL_SIZE} plaintexts hashed once
 * per process (cost 4) and shared round-robin.
 */

/** How many distinct passwords seeded users share. */
export const PASSWORD_POOL_SIZE = 64;
/** The bcrypt cost of generated hashes (the lowest cidaas accepts: BCRYPT_4). */
export const BCRYPT_COST = 4;
const CHUNK = 1000;

/** What {@link seedUsers} inserted. */
export interface SeededUsers {
  /** The new users' ids, in insertion order. */
  readonly ids: number[];
  /** The plaintext password of a seeded user (its credentials row holds a bcrypt hash of it). */
  passwordOf(id: number): string;
  /** The base32 secret of the user's confirmed TOTP device, or null (no device, or only an unconfirmed one). */
  totpOf(id: number): string | null;
}

/** A password and its bcrypt hash (cost {@link BCRYPT_COST}). */
export interface GeneratedPassword {
  readonly plain: string;
  readonly hash: string;
}

// One implementation, shared with the demo: tools/seeded-random.ts.
export { seededRandom };

let pool: Promise<GeneratedPassword[]> | undefined;

/** The shared password pool: deterministic plaintexts, hashed once per process. */
export function passwordPool(): Promise<GeneratedPassword[]> {
  pool ??= Promise.all(
    Array.from({ length: PASSWORD_POOL_SIZE }, async (_, i) => {
      const plain = `Shop-Pass-${String(i).padStart(2, '0')}!x`;
      return { plain, hash: await bcrypt.hash(plain, BCRYPT_COST) };
    }),
  );
  return pool;
}

let fresh = 0;

/** A new random password with its hash, for live password changes in tests. */
export async function newPassword(): Promise<GeneratedPassword> {
  fresh += 1;
  const plain = `Changed-${fresh}-${randomBytes(6).toString('hex')}`;
  return { plain, hash: await bcrypt.hash(plain, BCRYPT_COST) };
}

const FIRST_NAMES = ['Anna', 'Jürgen', 'Maria', 'Lukas', 'Sophie', 'Mehmet', 'Chloé', 'Jonas', 'Zoë', 'Paul', 'Lea', 'Ahmed', 'Marie', 'Finn', 'Ingrid', 'Noah'];
const LAST_NAMES = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', "O'Brien", 'Yılmaz', 'Nowak', 'Dubois', 'García', 'Jansen'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.de', 'shop.example.net'];

function ascii(name: string): string {
  return name.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
}

/** One generated user: its `users` columns and what goes into the related tables. */
interface GeneratedUser {
  readonly row: readonly unknown[];
  readonly email: string;
  readonly password: GeneratedPassword;
  readonly totp: { readonly secret: string; readonly confirmed: boolean } | undefined;
}

const USER_COLUMNS = ['email', 'email_confirmed', 'first_name', 'last_name', 'phone', 'login', 'customer_number', 'last_login_at', 'created_at'] as const;

function generateUser(random: () => number, seed: number, i: number, passwords: readonly GeneratedPassword[]): GeneratedUser {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const first = pick(FIRST_NAMES);
  const last = pick(LAST_NAMES);
  // Unique per (seed, index): two seedUsers calls on one database need different seeds.
  const email = `${ascii(first)}.${ascii(last)}.${seed}-${i}@${pick(DOMAINS)}`;
  const roll = random();
  // A few names with stray spaces or none at all, as legacy forms leave them.
  const firstName = roll < 0.02 ? null : roll < 0.05 ? `${first} ` : first;
  const phone = random() < 0.85 ? `+49151${String(Math.floor(random() * 1e8)).padStart(8, '0')}` : null;
  const login = random() < 0.9 ? `${ascii(first)}_${seed}_${i}` : null;
  const customer = random() < 0.95 ? `C${seed}-${String(i).padStart(7, '0')}` : null;
  const createdAt = new Date(Date.UTC(2015, 0, 1) + Math.floor(random() * 9 * 365 * 86_400_000));
  const lastLogin = random() < 0.5 ? new Date(createdAt.getTime() + Math.floor(random() * 30 * 86_400_000)) : null;
  const totpRoll = random();
  let totp: GeneratedUser['totp'];
  if (totpRoll < 0.35) {
    const bytes = Uint8Array.from({ length: 20 }, () => Math.floor(random() * 256));
    // About 30% confirmed; 5% started enrolling and never confirmed (must not be migrated).
    totp = { secret: base32Encode(bytes), confirmed: totpRoll < 0.3 };
  }
  return {
    row: [email, random() < 0.8, firstName, last, phone, login, customer, lastLogin, createdAt],
    email,
    password: passwords[i % passwords.length]!,
    totp,
  };
}

/**
 * Inserts `count` deterministic users with a bcrypt password each and, for about 30%,
 * a confirmed TOTP device; in transactions of {@link CHUNK} users (users, credentials
 * and devices of a chunk commit together). All users are live.
 */
export async function seedUsers(db: ShopDb, count: number, seed = 1): Promise<SeededUsers> {
  const passwords = await passwordPool();
  const random = seededRandom(seed);
  const ids: number[] = [];
  const passwordById = new Map<number, string>();
  const totpById = new Map<number, string>();
  for (let start = 0; start < count; start += CHUNK) {
    const users = Array.from({ length: Math.min(CHUNK, count - start) }, (_, k) => generateUser(random, seed, start + k, passwords));
    const chunkIds = await db.transaction((tx) => insertChunk(tx, users));
    users.forEach((user, k) => {
      const id = chunkIds[k]!;
      ids.push(id);
      passwordById.set(id, user.password.plain);
      if (user.totp?.confirmed) totpById.set(id, user.totp.secret);
    });
  }
  return {
    ids,
    passwordOf: (id) => {
      const plain = passwordById.get(id);
      if (plain === undefined) throw new Error(`user ${id} was not seeded by this call`);
      return plain;
    },
    totpOf: (id) => totpById.get(id) ?? null,
  };
}

async function insertChunk(tx: ShopQueries, users: readonly GeneratedUser[]): Promise<number[]> {
  await tx.insertMany('users', USER_COLUMNS, users.map((u) => u.row));
  const rows = await tx.query(`SELECT id, email FROM users WHERE email IN (${users.map(() => '?').join(', ')})`, users.map((u) => u.email));
  const idByEmail = new Map(rows.map((r) => [String(r['email']), Number(r['id'])]));
  const ids = users.map((u) => {
    const id = idByEmail.get(u.email);
    if (id === undefined) throw new Error(`seeded user ${u.email} not found after insert`);
    return id;
  });
  await tx.insertMany('credentials', ['user_id', 'password_hash'], users.map((u, k) => [ids[k], u.password.hash]));
  const devices = users.flatMap((u, k) => (u.totp ? [[ids[k], u.totp.secret, u.totp.confirmed]] : []));
  await tx.insertMany('totp_devices', ['user_id', 'secret_base32', 'confirmed'], devices);
  return ids;
}
