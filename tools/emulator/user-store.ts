import { randomUUID } from 'node:crypto';
import type { StoredUser } from './stored-user.js';
import { ENTITY_FIELDS } from './stored-user.js';
import { SortedSubIndex } from './sorted-sub-index.js';
import type { UserPatch } from './user-entity-parser.js';
import type { UserRejection } from './user-rules.js';
import { reject } from './user-rules.js';

/** What an upsert did to one user. */
export type UpsertOutcome = { readonly status: 'CREATED' | 'UPDATED'; readonly sub: string } | UserRejection;

/**
 * The in-memory user store. Records are frozen objects built field by field in one
 * order, so users with the same fields share a hidden class; strings that repeat
 * (status, provider, algorithm ids, the batch's timestamp) are shared. An email index
 * (lower case -> sub) enforces one sub per email; the sub order for listing and
 * search is kept lazily by {@link SortedSubIndex}.
 */
export class UserStore {
  readonly #users = new Map<string, StoredUser>();
  readonly #byEmail = new Map<string, string>();
  readonly #order = new SortedSubIndex((sub) => this.#users.has(sub));

  /** Number of stored users. */
  get size(): number {
    return this.#users.size;
  }

  /** The stored user with this sub. */
  get(sub: string): StoredUser | undefined {
    return this.#users.get(sub);
  }

  /** The stored user with this email (case-insensitive). */
  findByEmail(email: string): StoredUser | undefined {
    const sub = this.#byEmail.get(email.toLowerCase());
    return sub === undefined ? undefined : this.#users.get(sub);
  }

  /**
   * Applies one bulk entity: updates the user with `patch.sub` (present fields replace,
   * absent are kept) or creates it (a random sub when none is given).
   * `now` is the ISO time of the batch (one string shared by all its users).
   */
  upsert(patch: UserPatch, migrationMode: boolean, now: string): UpsertOutcome {
    const sub = patch.sub ?? randomUUID();
    const existing = this.#users.get(sub);
    if (existing?.password_hash_info !== undefined && patch.password_hash_info !== undefined && !migrationMode) {
      return reject('password_overwrite', 'password overwrite requires migrationMode');
    }
    const record = buildRecord({ ...patch, sub }, existing, now);
    const problem = this.#conflict(record);
    if (problem) return problem;
    this.#commit(record, existing);
    return { status: existing ? 'UPDATED' : 'CREATED', sub };
  }

  /**
   * Checks whether a complete user (a seed entry) could be stored in place of the
   * stored one with its sub, without storing it.
   */
  checkReplacement(user: StoredUser): UserRejection | undefined {
    return this.#conflict(user);
  }

  /** Stores a complete user, replacing any stored one with its sub. Check it first. */
  replace(user: StoredUser): void {
    this.#commit(user, this.#users.get(user.sub));
  }

  /** Deletes a user; false when there was none. */
  delete(sub: string): boolean {
    const user = this.#users.get(sub);
    if (!user) return false;
    this.#users.delete(sub);
    if (user.email !== undefined) this.#byEmail.delete(user.email.toLowerCase());
    this.#order.removed();
    return true;
  }

  /** Empties the store. */
  clear(): void {
    this.#users.clear();
    this.#byEmail.clear();
    this.#order.clear();
  }

  /** All subs in ascending order. */
  subs(): readonly string[] {
    return this.#order.view();
  }

  /** Up to `limit` users after `after` (exclusive; from the start when undefined), in sub order. */
  page(after: string | undefined, limit: number): StoredUser[] {
    const subs = this.#order.view();
    const start = after === undefined ? 0 : this.#order.indexAfter(after);
    return subs.slice(start, start + limit).map((sub) => this.#users.get(sub)!);
  }

  #conflict(user: StoredUser): UserRejection | undefined {
    if (user.email === undefined && user.mobile_number === undefined && user.username === undefined) {
      return reject('no_identifier', 'one of email, mobile_number or username is required');
    }
    if (user.email !== undefined) {
      const owner = this.#byEmail.get(user.email.toLowerCase());
      if (owner !== undefined && owner !== user.sub) return reject('email_exists', 'email already exists');
    }
    return undefined;
  }

  #commit(record: StoredUser, existing: StoredUser | undefined): void {
    if (existing?.email !== undefined && existing.email.toLowerCase() !== record.email?.toLowerCase()) {
      this.#byEmail.delete(existing.email.toLowerCase());
    }
    if (record.email !== undefined) this.#byEmail.set(record.email.toLowerCase(), record.sub);
    if (!existing) this.#order.added(record.sub);
    this.#users.set(record.sub, record);
  }
}

/**
 * Builds a frozen record: `patch` over `base`, fields in {@link ENTITY_FIELDS} order,
 * `userStatus` VERIFIED unless set, `createdTime` kept (or `now` for a new user),
 * `updatedTime` = `now` unless the patch (a seed) brings one.
 */
export function buildRecord(patch: UserPatch, base: StoredUser | undefined, now: string): StoredUser {
  const out: Record<string, unknown> = {};
  const source = patch as Record<string, unknown>;
  const stored = base as Record<string, unknown> | undefined;
  for (const field of ENTITY_FIELDS) {
    let value = source[field] !== undefined ? source[field] : stored?.[field];
    if (value === undefined && field === 'userStatus') value = 'VERIFIED';
    if (value === undefined && field === 'createdTime') value = now;
    if (value !== undefined) out[field] = value;
  }
  out['updatedTime'] = patch.updatedTime ?? now;
  return Object.freeze(out) as unknown as StoredUser;
}
