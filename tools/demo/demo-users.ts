import bcrypt from 'bcryptjs';
import { seededRandom } from '../seeded-random.js';
import { base32Encode } from '../totp.js';

/**
 * The demo's legacy users: deterministic (the same every run), with German and
 * international names, bcrypt passwords and, for about 30%, a confirmed TOTP device.
 * Bcrypt is slow on purpose, so a small pool of passwords is hashed once and shared.
 */

/** How many distinct passwords the demo users share. */
export const PASSWORD_POOL_SIZE = 8;
/** The bcrypt cost of the demo's hashes: what many legacy shops use. */
export const DEMO_BCRYPT_COST = 10;

/** A password and its bcrypt hash. */
export interface DemoPassword {
  readonly plain: string;
  readonly hash: string;
}

/** One generated user: its `users` columns and what goes into the related tables. */
export interface DemoUser {
  readonly email: string;
  readonly emailConfirmed: boolean;
  readonly firstName: string;
  readonly lastName: string;
  /** E.164 or null. */
  readonly phone: string | null;
  readonly login: string | null;
  readonly customerNumber: string;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
  readonly password: DemoPassword;
  /** The TOTP device (base32 secret), if any; only confirmed devices migrate. */
  readonly totp: { readonly secret: string; readonly confirmed: boolean } | null;
}

/** Hashes the password pool (cost {@link DEMO_BCRYPT_COST}). */
export async function hashPasswordPool(): Promise<DemoPassword[]> {
  const pool: DemoPassword[] = [];
  // One after the other: bcryptjs is single-threaded, parallel calls only interleave.
  for (let i = 0; i < PASSWORD_POOL_SIZE; i++) {
    const plain = `Demo-Pass-${i}!shop`;
    pool.push({ plain, hash: await bcrypt.hash(plain, DEMO_BCRYPT_COST) });
  }
  return pool;
}

/** A new password with its hash, as the shop's "change password" page would store it. */
export async function hashNewPassword(plain: string): Promise<DemoPassword> {
  return { plain, hash: await bcrypt.hash(plain, DEMO_BCRYPT_COST) };
}

const FIRST_NAMES = ['Anna', 'Jürgen', 'Maria', 'Lukas', 'Sophie', 'Mehmet', 'Chloé', 'Jonas', 'Zoë', 'Paul', 'Lea', 'Ahmed', 'Marie', 'Finn', 'Ingrid', 'Noah'];
const LAST_NAMES = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Nowak', 'Yılmaz', 'Dubois', 'García', 'Jansen', 'Rossi'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.de', 'shop.example.net'];

/** "Jürgen" -> "juergen", "Chloé" -> "chloe": the local part of a generated email. */
export function emailName(name: string): string {
  return name
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
}

/** `count` deterministic users; the i-th gets password `pool[i % pool.length]`. */
export function generateUsers(count: number, pool: readonly DemoPassword[], seed = 7): DemoUser[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i): DemoUser => {
    const firstName = pick(FIRST_NAMES);
    const lastName = pick(LAST_NAMES);
    const createdAt = new Date(Date.UTC(2014, 0, 1) + Math.floor(random() * 10 * 365 * 86_400_000));
    const totpRoll = random();
    const totp = totpRoll < 0.33
      ? { secret: base32Encode(Uint8Array.from({ length: 20 }, () => Math.floor(random() * 256))), confirmed: totpRoll < 0.3 }
      : null;
    return {
      email: `${emailName(firstName)}.${emailName(lastName)}.${i + 1}@${pick(DOMAINS)}`,
      emailConfirmed: random() < 0.85,
      firstName,
      lastName,
      phone: random() < 0.7 ? `+49151${String(Math.floor(random() * 1e8)).padStart(8, '0')}` : null,
      login: random() < 0.6 ? `${emailName(firstName)}${i + 1}` : null,
      customerNumber: `K-${String(100_000 + i)}`,
      createdAt,
      lastLoginAt: random() < 0.6 ? new Date(createdAt.getTime() + Math.floor(random() * 90 * 86_400_000)) : null,
      password: pool[i % pool.length]!,
      totp,
    };
  });
}
