import type { DataSource } from 'typeorm';
import { SyncError } from '../errors.js';
import { TableNames } from './entities/table-names.js';
import { stateMigrations } from './migrations/state-migrations.js';
import type { StateStoreLocation } from './state-store-url.js';

const KNOWN = new Set(stateMigrations.map((M) => new M().name ?? M.name));

/** Names of the migrations already applied, or null when the migrations table does not exist yet. */
async function appliedMigrations(ds: DataSource): Promise<string[] | null> {
  try {
    const rows: unknown = await ds.query(`SELECT name FROM ${ds.driver.escape(TableNames.migrations)}`);
    if (!Array.isArray(rows)) return [];
    return rows.map((r: unknown) => String((r as { name?: unknown }).name));
  } catch {
    // Missing table (fresh store). Any other failure shows again on the locked path below.
    return null;
  }
}

/** Holds a database-wide lock while `fn` runs, so that two processes never migrate at once. */
async function withMigrationLock<T>(ds: DataSource, loc: StateStoreLocation, fn: () => Promise<T>): Promise<T> {
  const qr = ds.createQueryRunner();
  if (loc.kind === 'sqlite') {
    // One connection: the migrations run inside this IMMEDIATE transaction (transaction 'none'
    // below), which takes SQLite's write lock up front.
    await qr.query('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      await qr.query('COMMIT');
      return result;
    } catch (err) {
      await qr.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  await qr.connect();
  try {
    if (loc.kind === 'postgres') {
      await qr.query('SELECT pg_advisory_lock(hashtext($1))', [TableNames.migrations]);
    } else {
      // GET_LOCK names are server-wide: qualify by database.
      const name = `${TableNames.migrations}.${loc.database}`.slice(0, 64);
      const rows: unknown = await qr.query('SELECT GET_LOCK(?, 60) AS got', [name]);
      const got = Array.isArray(rows) ? Number((rows[0] as { got?: unknown } | undefined)?.got) : 0;
      if (got !== 1) {
        throw new SyncError('STATE_STORE', `the state store database ${loc.display} is being migrated by another process and did not finish within 60 s`, {
          transient: true,
          hint: 'start cidaas-sync again once the other process finished its migration',
        });
      }
    }
    try {
      return await fn();
    } finally {
      const unlock = loc.kind === 'postgres'
        ? qr.query('SELECT pg_advisory_unlock(hashtext($1))', [TableNames.migrations])
        : qr.query('SELECT RELEASE_LOCK(?)', [`${TableNames.migrations}.${loc.database}`.slice(0, 64)]);
      await unlock.catch(() => undefined);
    }
  } finally {
    await qr.release();
  }
}

/**
 * Runs the pending migrations of the state store (none when it is up to date, which needs only a
 * read), under a lock. Refuses a store migrated by a newer cidaas-sync. Returns the names applied.
 */
export async function runStateMigrations(ds: DataSource, loc: StateStoreLocation): Promise<string[]> {
  let applied = await appliedMigrations(ds);
  const pending = (names: string[] | null): boolean => names === null || [...KNOWN].some((n) => !names.includes(n));
  let ran: string[] = [];
  if (pending(applied)) {
    ran = await withMigrationLock(ds, loc, async () => {
      const done = await ds.runMigrations({ transaction: loc.kind === 'sqlite' ? 'none' : 'all' });
      return done.map((m) => m.name);
    });
    applied = await appliedMigrations(ds);
  }
  const unknown = (applied ?? []).filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    throw new SyncError('STATE_STORE', `the state store ${loc.display} was migrated by a newer cidaas-sync (unknown migration ${unknown.join(', ')})`, {
      hint: 'run the cidaas-sync version that wrote it, or point state.url at another store',
    });
  }
  return ran;
}
