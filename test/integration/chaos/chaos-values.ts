import bcrypt from 'bcryptjs';
import { base32Encode } from '../../../src/mfa/base32.js';
import type { ShopUserFields } from '../../support/shop-schema.js';

/**
 * Deterministic values for the chaos workload: every email, login, phone, password hash and
 * TOTP secret comes from one seeded random stream, so one seed gives one sequence of changes.
 * Emails and logins carry a lane tag and a counter, so they never repeat: cidaas refuses an
 * email another sub holds, and a reused address could meet its old owner in another batch.
 */

const FIRST = ['Anna', 'Jürgen', 'Maria', 'Lukas', 'Zoë', 'Mehmet', 'Chloé', 'Ingrid'];
const LAST = ['Müller', "O'Brien", 'Yılmaz', 'Nowak', 'García', 'Weber', 'Dubois', 'Jansen'];
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Where the workload's emails live, so a test can tell them from seeded ones. */
export const CHAOS_DOMAIN = 'chaos.example.org';

/** The email the emulator is told to FAIL for doomed user `n` of a run. */
export function doomedEmail(seed: number, n: number): string {
  return `doomed.${seed}.${n}@${CHAOS_DOMAIN}`;
}

/** The email prefix of changes that are rolled back: no cidaas user may ever hold one. */
export const ROLLED_BACK_PREFIX = 'rolledback.';

/** Fresh values from a seeded stream; `lane` keeps two lanes' values apart. */
export class ChaosValues {
  #counter = 0;

  constructor(
    readonly random: () => number,
    private readonly seed: number,
    private readonly lane: string,
  ) {}

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  email(): string {
    return `${this.lane}${++this.#counter}.s${this.seed}@${CHAOS_DOMAIN}`;
  }

  rolledBackEmail(): string {
    return `${ROLLED_BACK_PREFIX}${this.lane}${++this.#counter}.s${this.seed}@${CHAOS_DOMAIN}`;
  }

  login(): string {
    return `c${this.seed}${this.lane}${++this.#counter}`;
  }

  phone(): string {
    return `+49151${String(this.int(0, 99_999_999)).padStart(8, '0')}`;
  }

  customerNumber(): string {
    return `K${this.seed}-${this.lane}${++this.#counter}`;
  }

  /** A name, now and then with stray spaces, or (where `clearable`) NULL. */
  name(list: readonly string[], clearable: boolean): string | null {
    const roll = this.random();
    if (clearable && roll < 0.15) return null;
    const name = this.pick(list);
    return roll < 0.25 ? `  ${name} ` : name;
  }

  /** A bcrypt hash (cost 4) of a fresh password, salted from the stream so the run stays reproducible. */
  passwordHash(): string {
    const salt = Array.from({ length: 22 }, () => this.pick([...BCRYPT_ALPHABET])).join('');
    return bcrypt.hashSync(`Chaos-${this.lane}-${++this.#counter}`, `$2b$04$${salt}`);
  }

  /** A base32 TOTP secret of 20 bytes. */
  totpSecret(): string {
    return base32Encode(Uint8Array.from({ length: 20 }, () => this.int(0, 255)));
  }

  /** A complete new user row. Username and phone are never cleared: the bulk API cannot express it. */
  newUser(email = this.email()): ShopUserFields & { email: string } {
    return {
      email,
      email_confirmed: this.chance(0.7),
      first_name: this.name(FIRST, true),
      last_name: this.name(LAST, true),
      phone: this.phone(),
      login: this.login(),
      customer_number: this.customerNumber(),
    };
  }

  /** One mapped field (or a few at once) set to a new value. */
  fieldChange(): { kind: string; fields: ShopUserFields } {
    const kinds: (() => { kind: string; fields: ShopUserFields })[] = [
      () => ({ kind: 'email', fields: { email: this.email() } }),
      () => ({ kind: 'first_name', fields: { first_name: this.name(FIRST, true) } }),
      () => ({ kind: 'last_name', fields: { last_name: this.name(LAST, true) } }),
      () => ({ kind: 'phone', fields: { phone: this.phone() } }),
      () => ({ kind: 'login', fields: { login: this.login() } }),
      () => ({ kind: 'customer_number', fields: { customer_number: this.customerNumber() } }),
      () => ({ kind: 'email_confirmed', fields: { email_confirmed: this.chance(0.5) } }),
    ];
    if (this.chance(0.15)) {
      const fields: ShopUserFields = {};
      for (let i = this.int(2, 4); i > 0; i--) Object.assign(fields, this.pick(kinds)().fields);
      return { kind: 'several_fields', fields };
    }
    return this.pick(kinds)();
  }
}

/**
 * A set of user ids with a uniform random pick, deterministic for a given sequence of calls
 * (a Set has no random access; this keeps an array and each id's index).
 */
export class KeyPool {
  readonly #ids: number[] = [];
  readonly #index = new Map<number, number>();

  constructor(ids: Iterable<number> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.#ids.length;
  }

  has(id: number): boolean {
    return this.#index.has(id);
  }

  add(id: number): void {
    if (this.#index.has(id)) return;
    this.#index.set(id, this.#ids.length);
    this.#ids.push(id);
  }

  delete(id: number): void {
    const i = this.#index.get(id);
    if (i === undefined) return;
    const last = this.#ids.pop()!;
    if (last !== id) {
      this.#ids[i] = last;
      this.#index.set(last, i);
    }
    this.#index.delete(id);
  }

  /** A random member, or undefined when empty. */
  pick(random: () => number): number | undefined {
    return this.#ids.length === 0 ? undefined : this.#ids[Math.floor(random() * this.#ids.length)];
  }

  /** Up to `n` distinct random members. */
  sample(n: number, random: () => number): number[] {
    const out = new Set<number>();
    const want = Math.min(n, this.#ids.length);
    while (out.size < want) out.add(this.#ids[Math.floor(random() * this.#ids.length)]!);
    return [...out];
  }

  values(): number[] {
    return [...this.#ids];
  }
}
