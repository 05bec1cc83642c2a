import { setTimeout as delay } from 'node:timers/promises';
import type { ShopDb, ShopQueries } from '../../support/shop-schema.js';
import type { ChaosValues, KeyPool } from './chaos-values.js';

/**
 * The building blocks of the chaos workload (chaos-workload.ts): a new user, a random change to
 * one user, and the transactions that stress the log's transaction boundaries. Every value comes
 * from the given {@link ChaosValues}, so a lane stays reproducible.
 */

/** Where the main lane keeps its users; a transaction moves the ids it deletes. */
export interface UserPools {
  /** Live and free to change. */
  readonly live: KeyPool;
  readonly softDeleted: KeyPool;
  /** Hard-deleted: their keys may be inserted again. */
  readonly hardDeleted: KeyPool;
}

/** Thrown inside a transaction to roll it back on purpose. */
class Rollback extends Error {}

/** Inserts a user with random fields, a password (90%) and a TOTP device (40%, mostly confirmed); `id` re-uses a key. */
export async function insertRandomUser(q: ShopQueries, v: ChaosValues, id?: number, email?: string): Promise<number> {
  const user = v.newUser(email);
  let key: number;
  if (id === undefined) key = await q.insertUser(user);
  else {
    const columns = Object.keys(user);
    await q.query(`INSERT INTO users (id, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`, [id, ...Object.values(user)]);
    key = id;
  }
  if (v.chance(0.9)) await q.setPassword(key, v.passwordHash());
  if (v.chance(0.4)) await q.setTotp(key, v.totpSecret(), v.chance(0.85));
  return key;
}

/** A random change to one user: a mapped field, the password, the TOTP device, or last_login_at. Returns its kind. */
export async function applyRandomChange(q: ShopQueries, v: ChaosValues, id: number): Promise<string> {
  const roll = v.random();
  if (roll < 0.55) {
    const c = v.fieldChange();
    await q.updateUser(id, c.fields);
    return c.kind;
  }
  if (roll < 0.75) {
    await q.setPassword(id, v.passwordHash());
    return 'password';
  }
  if (roll < 0.9) {
    await q.setTotp(id, v.chance(0.6) ? v.totpSecret() : null, v.chance(0.85));
    return 'mfa';
  }
  await q.touchLastLogin(id);
  return 'touch';
}

/** One transaction over up to 200 live users: a change each, a few soft and hard deletes. Returns the users touched. */
export async function manyUsersTransaction(db: ShopDb, v: ChaosValues, pools: UserPools): Promise<number> {
  const ids = pools.live.sample(200, v.random);
  const softs: number[] = [];
  const hards: number[] = [];
  await db.transaction(async (tx) => {
    for (const id of ids) {
      const roll = v.random();
      if (roll < 0.02) {
        await tx.softDelete(id);
        softs.push(id);
      } else if (roll < 0.04) {
        await tx.hardDelete(id);
        hards.push(id);
      } else await applyRandomChange(tx, v, id);
    }
  });
  for (const id of softs) {
    pools.live.delete(id);
    pools.softDeleted.add(id);
  }
  for (const id of hards) {
    pools.live.delete(id);
    pools.hardDeleted.add(id);
  }
  return ids.length;
}

/** One user changed 10 to 30 times in one transaction; in one of five also deleted and inserted again within it. */
export async function oneUserManyTimes(db: ShopDb, v: ChaosValues, id: number): Promise<{ times: number; recreated: boolean }> {
  const times = v.int(10, 30);
  const recreated = v.chance(0.2);
  await db.transaction(async (tx) => {
    for (let i = 0; i < times; i++) await applyRandomChange(tx, v, id);
    if (recreated) {
      await tx.hardDelete(id);
      await insertRandomUser(tx, v, id);
      await applyRandomChange(tx, v, id);
    }
  });
  return { times, recreated };
}

/** Changes that are rolled back: emails no cidaas user may ever hold, an insert and a hard delete that never happen. */
export async function rolledBackTransaction(db: ShopDb, v: ChaosValues, pools: UserPools): Promise<void> {
  const ids = pools.live.sample(v.int(1, 5), v.random);
  try {
    await db.transaction(async (tx) => {
      for (const id of ids) await tx.updateUser(id, { email: v.rolledBackEmail(), first_name: 'Rolled Back' });
      const ghost = await tx.insertUser({ email: v.rolledBackEmail(), first_name: 'Ghost' });
      await tx.setPassword(ghost, v.passwordHash());
      const victim = ids[0];
      if (victim !== undefined && v.chance(0.5)) await tx.hardDelete(victim);
      throw new Rollback('rolled back on purpose');
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
}

/** A few users changed in a transaction that stays open `holdMs` before one more change and the commit. Returns the changes. */
export async function longTransaction(db: ShopDb, v: ChaosValues, pool: KeyPool, maxHoldMs: number): Promise<number> {
  const ids = pool.sample(v.int(2, 6), v.random);
  const holdMs = v.int(300, maxHoldMs);
  let changes = 0;
  await db.transaction(async (tx) => {
    for (const id of ids) {
      await applyRandomChange(tx, v, id);
      changes++;
    }
    // The point of this transaction: a commit long after its first change.
    await delay(holdMs);
    const first = ids[0];
    if (first !== undefined) {
      await applyRandomChange(tx, v, first);
      changes++;
    }
  });
  return changes;
}
