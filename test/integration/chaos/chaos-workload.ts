import { setTimeout as delay } from 'node:timers/promises';
import type { ShopDb, ShopUserFields } from '../../support/shop-schema.js';
import { seededRandom } from '../../support/user-generator.js';
import { insertRandomUser, longTransaction, manyUsersTransaction, oneUserManyTimes, rolledBackTransaction, type UserPools } from './chaos-transactions.js';
import { ChaosValues, KeyPool } from './chaos-values.js';

/**
 * The chaos workload: a seeded random mix of every change docs/architecture.md "What correct means here"
 * speaks of, on the shop schema, in two lanes that never touch each other's users:
 *
 * - the main lane, one operation at a time: inserts; updates of each mapped field; password
 *   changes; MFA enrol (confirmed or not) and removal; last-login touches (ignored column);
 *   soft deletes and revivals; hard deletes and re-inserts of the deleted key (explicit id);
 *   orders (a table the sidecar does not read); a transaction over up to 200 users; one user
 *   changed many times in one transaction (sometimes deleted and re-inserted in it); rolled
 *   back transactions; and "doomed" users given an email the emulator was told to FAIL, who
 *   are never changed again;
 * - the long lane: transactions that change a few users, stay open for a while, then commit.
 *
 * Each lane draws from its own seeded stream and owns its users, so a seed gives the same
 * changes per lane and the same final database whatever the timing.
 */

/** Options of {@link ChaosWorkload}. */
export interface ChaosWorkloadOptions {
  readonly db: ShopDb;
  readonly seed: number;
  /** Existing live users the workload may change (seeded before). */
  readonly ids: readonly number[];
  /** Emails the emulator FAILs; each is given to one user, who is left alone after. */
  readonly doomedEmails?: readonly string[];
  /** Main-lane operations per second; default 30. */
  readonly opsPerSecond?: number;
  /** Share of `ids` that only the long lane changes; default 0.1. */
  readonly longLaneShare?: number;
  /** Longest time a long transaction stays open, in ms; default 4000. */
  readonly maxHoldMs?: number;
}

/** What the workload did; only committed work counts. */
export interface ChaosWorkloadStats {
  /** Committed transactions (single statements count as one). */
  readonly operations: number;
  /** Committed user changes (one user changed in one statement or helper call = one). */
  readonly changes: number;
  /** Committed operations by kind. */
  readonly byKind: Readonly<Record<string, number>>;
  /** Transactions rolled back on purpose. */
  readonly rolledBack: number;
}

/** Deadlock and lock wait timeout (MariaDB/InnoDB; PostgreSQL 40P01): the transaction was rolled back whole. */
const DEADLOCK_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', '40P01']);

/**
 * Runs `work` again when the database rolled it back for a deadlock: InnoDB's gap locks make the
 * two lanes' transactions collide now and then, as two legacy application servers would. Pools
 * change only after a commit, so a retry starts from a consistent state (with fresh values).
 */
async function retryOnDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
      if (!DEADLOCK_CODES.has(code) || attempt >= 5) throw err;
    }
  }
}

/** A main-lane operation: runs, and says what kind it was and how many user changes it made. */
type Operation = () => Promise<[kind: string, changes: number]>;

/** The chaos workload; see the module comment. */
export class ChaosWorkload {
  readonly #o: ChaosWorkloadOptions;
  readonly #main: ChaosValues;
  readonly #long: ChaosValues;
  /** The main lane's users. */
  readonly #pools: UserPools;
  readonly #longIds: KeyPool;
  readonly #doomed: number[] = [];
  readonly #doomedEmails: string[];
  readonly #byKind: Record<string, number> = {};
  readonly #recent: string[] = [];
  #operations = 0;
  #changes = 0;
  #rolledBack = 0;
  #stopping = false;
  #failure: Error | undefined;
  #lanes: Promise<void>[] = [];

  constructor(options: ChaosWorkloadOptions) {
    this.#o = options;
    this.#main = new ChaosValues(seededRandom(options.seed), options.seed, 'm');
    this.#long = new ChaosValues(seededRandom(options.seed ^ 0x2545f491), options.seed, 'l');
    const longCount = Math.floor(options.ids.length * (options.longLaneShare ?? 0.1));
    this.#longIds = new KeyPool(options.ids.slice(0, longCount));
    this.#pools = { live: new KeyPool(options.ids.slice(longCount)), softDeleted: new KeyPool(), hardDeleted: new KeyPool() };
    this.#doomedEmails = [...(options.doomedEmails ?? [])];
  }

  /** The ids of the users given a doomed email so far. */
  get doomedKeys(): readonly number[] {
    return this.#doomed;
  }

  get stats(): ChaosWorkloadStats {
    return { operations: this.#operations, changes: this.#changes, byKind: { ...this.#byKind }, rolledBack: this.#rolledBack };
  }

  /** The last operations, newest last, for failure messages. */
  get recent(): readonly string[] {
    return this.#recent;
  }

  /** The first error a lane met (the lanes stop then), or undefined. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Starts both lanes; {@link stop} ends them. A lane that fails stops both (see {@link failure}). */
  start(): void {
    const pauseMs = 1000 / (this.#o.opsPerSecond ?? 30);
    const lane = async (body: () => Promise<void>): Promise<void> => {
      try {
        await body();
      } catch (err) {
        this.#failure ??= err instanceof Error ? err : new Error(String(err));
        this.#stopping = true;
      }
    };
    this.#lanes = [
      lane(async () => {
        while (!this.#stopping) {
          await this.step();
          // Pacing of the workload itself (not a wait for a result): the rate under test.
          await delay(pauseMs);
        }
      }),
      lane(async () => {
        while (!this.#stopping && this.#longIds.size > 0) {
          this.#count('long_transaction', await retryOnDeadlock(() => longTransaction(this.#o.db, this.#long, this.#longIds, this.#o.maxHoldMs ?? 4000)));
          await delay(this.#long.int(100, 600));
        }
      }),
    ];
  }

  /** Ends both lanes after their current operation; rejects with the first lane failure. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#lanes);
    if (this.#failure) throw this.#failure;
  }

  /** Runs `n` main-lane operations now, one after another, unpaced. */
  async steps(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.step();
  }

  /** Runs one main-lane operation. */
  async step(): Promise<void> {
    const menu = this.#menu();
    const total = menu.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.#main.random() * total;
    let op: Operation = menu[0]![1];
    for (const [weight, candidate] of menu) {
      op = candidate;
      roll -= weight;
      if (roll < 0) break;
    }
    const [kind, changes] = await retryOnDeadlock(op);
    this.#count(kind, changes);
  }

  /** The main-lane operations with their relative weights. */
  #menu(): [number, Operation][] {
    return [
      [110, () => this.#insert()],
      [300, () => this.#update()],
      [90, () => this.#password()],
      [60, () => this.#mfa()],
      [40, () => this.#touch()],
      [70, () => this.#orders()],
      [40, () => this.#softDelete()],
      [30, () => this.#revive()],
      [40, () => this.#hardDelete()],
      [40, () => this.#reinsert()],
      [15, () => this.#manyUsers()],
      [30, () => this.#oneUserManyTimes()],
      [20, () => this.#rollback()],
      [15, () => this.#doom()],
    ];
  }

  #count(kind: string, changes: number): void {
    this.#operations++;
    this.#changes += changes;
    this.#byKind[kind] = (this.#byKind[kind] ?? 0) + 1;
    this.#recent.push(kind);
    if (this.#recent.length > 30) this.#recent.shift();
  }

  async #insert(): Promise<[string, number]> {
    const id = await this.#o.db.transaction((tx) => insertRandomUser(tx, this.#main));
    this.#pools.live.add(id);
    return ['insert', 1];
  }

  async #onLive(kind: string, fn: (id: number) => Promise<void>, changes = 1): Promise<[string, number]> {
    const id = this.#pools.live.pick(this.#main.random);
    if (id === undefined) return this.#insert();
    await fn(id);
    return [kind, changes];
  }

  #update(): Promise<[string, number]> {
    const c = this.#main.fieldChange();
    return this.#onLive(c.kind, (id) => this.#o.db.updateUser(id, c.fields));
  }

  #password(): Promise<[string, number]> {
    const hash = this.#main.passwordHash();
    return this.#onLive('password', (id) => this.#o.db.setPassword(id, hash));
  }

  #mfa(): Promise<[string, number]> {
    const v = this.#main;
    const roll = v.random();
    const [kind, secret, confirmed] = roll < 0.5 ? ['mfa_enrol', v.totpSecret(), true] : roll < 0.65 ? ['mfa_unconfirmed', v.totpSecret(), false] : ['mfa_remove', null, false];
    return this.#onLive(kind, (id) => this.#o.db.setTotp(id, secret, confirmed));
  }

  #touch(): Promise<[string, number]> {
    return this.#onLive('touch_last_login', (id) => this.#o.db.touchLastLogin(id));
  }

  async #orders(): Promise<[string, number]> {
    const v = this.#main;
    const n = v.int(1, 4);
    const owner = this.#pools.live.pick(v.random);
    await this.#o.db.transaction(async (tx) => {
      let last = 0;
      for (let i = 0; i < n; i++) last = await tx.insertOrder(v.chance(0.8) ? owner : undefined, v.int(1, 99_999) / 100);
      if (v.chance(0.5)) await tx.query('UPDATE orders SET total = total + 1 WHERE id = ?', [last]);
      if (v.chance(0.2)) await tx.query('DELETE FROM orders WHERE id = ?', [last]);
    });
    return ['orders', 0];
  }

  async #softDelete(): Promise<[string, number]> {
    return this.#onLive('soft_delete', async (id) => {
      await this.#o.db.softDelete(id);
      this.#pools.live.delete(id);
      this.#pools.softDeleted.add(id);
    });
  }

  async #revive(): Promise<[string, number]> {
    const id = this.#pools.softDeleted.pick(this.#main.random);
    if (id === undefined) return this.#softDelete();
    await this.#o.db.updateUser(id, { deleted_at: null });
    this.#pools.softDeleted.delete(id);
    this.#pools.live.add(id);
    return ['revive', 1];
  }

  async #hardDelete(): Promise<[string, number]> {
    const v = this.#main;
    // Soft-deleted users are hard-deleted too, now and then, as a cleanup job would.
    const pool = v.chance(0.3) && this.#pools.softDeleted.size > 0 ? this.#pools.softDeleted : this.#pools.live;
    const id = pool.pick(v.random);
    if (id === undefined) return this.#insert();
    await this.#o.db.hardDelete(id);
    pool.delete(id);
    this.#pools.hardDeleted.add(id);
    return ['hard_delete', 1];
  }

  async #reinsert(): Promise<[string, number]> {
    const id = this.#pools.hardDeleted.pick(this.#main.random);
    if (id === undefined) return this.#hardDelete();
    await this.#o.db.transaction((tx) => insertRandomUser(tx, this.#main, id));
    this.#pools.hardDeleted.delete(id);
    this.#pools.live.add(id);
    return ['reinsert_deleted_key', 1];
  }

  async #manyUsers(): Promise<[string, number]> {
    return ['many_users_transaction', await manyUsersTransaction(this.#o.db, this.#main, this.#pools)];
  }

  async #oneUserManyTimes(): Promise<[string, number]> {
    const id = this.#pools.live.pick(this.#main.random);
    if (id === undefined) return this.#insert();
    const { times, recreated } = await oneUserManyTimes(this.#o.db, this.#main, id);
    return [recreated ? 'one_user_recreated_in_transaction' : 'one_user_many_times', times];
  }

  async #rollback(): Promise<[string, number]> {
    await rolledBackTransaction(this.#o.db, this.#main, this.#pools);
    this.#rolledBack++;
    return ['rollback', 0];
  }

  /** A user given an email the emulator FAILs (an existing one, or a new insert); never changed again. */
  async #doom(): Promise<[string, number]> {
    const email = this.#doomedEmails.shift();
    if (email === undefined) return this.#update();
    const v = this.#main;
    let id = v.chance(0.7) ? this.#pools.live.pick(v.random) : undefined;
    if (id === undefined) id = await this.#o.db.transaction((tx) => insertRandomUser(tx, v, undefined, email));
    else {
      const fields: ShopUserFields = { email, ...(v.chance(0.5) ? { first_name: 'Doomed' } : {}) };
      await this.#o.db.updateUser(id, fields);
      this.#pools.live.delete(id);
    }
    this.#doomed.push(id);
    return ['doom', 1];
  }
}
