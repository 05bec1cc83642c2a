// Over 300 lines on purpose: it implements the whole StateStore contract for SQLite, PostgreSQL
// and MySQL through one TypeORM data source, each method one short transaction.
import { In, MoreThan } from 'typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { applyOutcomes, CHECKPOINT_ID, CHUNK, loadDeadLetters, upsertCheckpoint } from './apply-outcomes.js';
import { BackfillEntity } from './entities/backfill-entity.js';
import { CheckpointEntity } from './entities/checkpoint-entity.js';
import { DeadLetterEntity } from './entities/dead-letter-entity.js';
import type { DeadLetterRow } from './entities/dead-letter-entity.js';
import { MetaEntity } from './entities/meta-entity.js';
import { TableNames } from './entities/table-names.js';
import { UserStateEntity } from './entities/user-state-entity.js';
import type { UserStateRow } from './entities/user-state-entity.js';
import { runStateMigrations } from './run-state-migrations.js';
import { SerialQueue } from './serial-queue.js';
import { StateHotPath } from './state-hot-path.js';
import { createStateDataSource } from './state-data-source.js';
import { checkBackfill, checkMetaName, chunks } from './state-input-checks.js';
import type { BackfillProgress, Checkpoint, DeadLetter, ListDeadLettersOptions, OutcomeRecord, StateFence, StateStore, UserState } from './state-store.js';
import { toStateStoreError } from './state-store-error.js';
import type { StateStoreLocation } from './state-store-url.js';
import { preparePrivateFile } from '../security/private-file.js';
import { FINGERPRINT_KEY_META, FingerprintKey } from '../digest/fingerprint-key.js';
import { SQLITE_BUSY_SLICE_MS, waitOutSqliteLock } from './wait-out-sqlite-lock.js';

function toUserState(r: UserStateRow): UserState {
  const fingerprints: UserState['fingerprints'] = {};
  if (r.fpProfile !== null) fingerprints.profile = r.fpProfile;
  if (r.fpEmail !== null) fingerprints.email = r.fpEmail;
  if (r.fpPassword !== null) fingerprints.password = r.fpPassword;
  if (r.fpMfa !== null) fingerprints.mfa = r.fpMfa;
  return { key: r.key, sub: r.sub, fingerprints, lastPushAt: r.lastPushAt, deleted: r.deleted };
}

function toDeadLetter(r: DeadLetterRow): DeadLetter {
  return { key: r.key, reason: r.reason, attempts: Number(r.attempts), firstSeen: r.firstSeen, lastSeen: r.lastSeen, permanent: r.permanent };
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
    throw new SyncError('STATE_STORE', `a page limit must be an integer from 1 to 10000, not ${limit}`);
  }
  return limit;
}

/** Options of {@link TypeormStateStore}. */
export interface TypeormStateStoreOptions {
  logger: Logger;
  /**
   * SQLite: how long an operation waits for another process's lock before failing as transient
   * (5000 ms by default). The waiting is asynchronous: see wait-out-sqlite-lock.ts.
   */
  busyTimeoutMs?: number;
}

/** The state store on typeorm: SQLite (better-sqlite3), PostgreSQL or MySQL/MariaDB. */
export class TypeormStateStore implements StateStore {
  readonly #loc: StateStoreLocation;
  readonly #logger: Logger;
  readonly #ds: DataSource;
  // SQLite shares one connection: every operation runs alone. The pools of the others do not need it.
  readonly #queue: SerialQueue | null;
  #fence: StateFence | null = null;
  #fingerprintKey: FingerprintKey | null = null;
  readonly #lockWaitMs: number;

  constructor(loc: StateStoreLocation, options: TypeormStateStoreOptions) {
    this.#loc = loc;
    this.#logger = options.logger;
    this.#lockWaitMs = options.busyTimeoutMs ?? 5000;
    // The driver's own (synchronous) wait is a short slice; #lockFree waits the rest with the event loop free.
    this.#ds = createStateDataSource(loc, { logger: options.logger, busyTimeoutMs: Math.min(SQLITE_BUSY_SLICE_MS, this.#lockWaitMs) });
    this.#queue = loc.kind === 'sqlite' ? new SerialQueue() : null;
  }

  /** SQLite: runs `attempt` again while another process's lock makes it fail, for up to the busy timeout. */
  #lockFree<T>(attempt: () => Promise<T>): Promise<T> {
    return this.#loc.kind === 'sqlite' ? waitOutSqliteLock(attempt, this.#lockWaitMs) : attempt();
  }

  /** Where the store lives, password masked. */
  get display(): string {
    return this.#loc.display;
  }

  async open(): Promise<void> {
    if (this.#ds.isInitialized) return;
    try {
      // The store holds every user's fingerprints and dead letters: 0600, in a 0700 directory.
      if (this.#loc.kind === 'sqlite' && this.#loc.path !== ':memory:') preparePrivateFile(this.#loc.path);
      await this.#ds.initialize();
      const ran = await this.#lockFree(() => runStateMigrations(this.#ds, this.#loc));
      if (this.#loc.kind === 'sqlite' && this.#loc.path !== ':memory:') {
        // SQLite opens a file it may not write read-only without a word; a write statement that
        // changes nothing still needs write access, so a read-only store fails here, not at the
        // first batch.
        await this.#lockFree(() => this.#ds.query(`DELETE FROM ${this.#ds.driver.escape(TableNames.meta)} WHERE 1 = 0`));
      }
      this.#fingerprintKey = await this.#lockFree(() => this.#loadFingerprintKey());
      this.#logger.info('state store open', { store: this.#loc.display, migrationsRun: ran });
    } catch (err) {
      if (this.#ds.isInitialized) await this.#ds.destroy().catch(() => undefined);
      throw toStateStoreError(err, this.#loc, 'open');
    }
  }

  async #loadFingerprintKey(): Promise<FingerprintKey> {
    const row = await this.#ds.manager.getRepository(MetaEntity).findOneBy({ name: FINGERPRINT_KEY_META });
    if (row === null) {
      throw new SyncError('STATE_STORE', `the state store ${this.#loc.display} has no fingerprint key (metadata ${FINGERPRINT_KEY_META}) although its migrations ran`, {
        hint: 'restore the state store from a backup, or point state.url at a new store (every user is pushed once more)',
      });
    }
    return FingerprintKey.fromStored(row.value);
  }

  fingerprintKey(): FingerprintKey {
    if (this.#fingerprintKey === null || !this.#ds.isInitialized) {
      throw new SyncError('STATE_STORE', `the state store ${this.#loc.display} is not open`, { hint: 'call open() first; this is a bug in cidaas-sync' });
    }
    return this.#fingerprintKey;
  }

  async close(): Promise<void> {
    if (!this.#ds.isInitialized) return;
    const destroy = (): Promise<void> => this.#ds.destroy();
    await (this.#queue ? this.#queue.run(destroy) : destroy()).catch((err: unknown) => {
      throw toStateStoreError(err, this.#loc, 'close');
    });
  }

  /**
   * Queues `go` (SQLite has one connection). A `durable` write — one that stores a checkpoint — runs
   * with synchronous=FULL, so its commit syncs the WAL and with it every commit before (see
   * state-data-source.ts); the switch and the write are one task, so nothing interleaves.
   */
  #enqueue<T>(go: () => Promise<T>, durable: boolean): Promise<T> {
    const sqliteFile = this.#loc.kind === 'sqlite' && this.#loc.path !== ':memory:';
    const task = durable && sqliteFile
      ? async (): Promise<T> => {
          await this.#ds.manager.query('PRAGMA synchronous = FULL');
          try {
            return await go();
          } finally {
            await this.#ds.manager.query('PRAGMA synchronous = NORMAL').catch(() => undefined);
          }
        }
      : go;
    // A task is one statement or one transaction (rolled back when it fails), so it can run again.
    const waited = (): Promise<T> => this.#lockFree(task);
    return this.#queue ? this.#queue.run(waited) : waited();
  }

  /** Runs `fn` outside a transaction, mapping failures to STATE_STORE errors. */
  #run<T>(operation: string, fn: (m: EntityManager) => Promise<T>, durable = false): Promise<T> {
    const go = async (): Promise<T> => {
      this.#assertOpen();
      try {
        return await fn(this.#ds.manager);
      } catch (err) {
        throw toStateStoreError(err, this.#loc, operation);
      }
    };
    return this.#enqueue(go, durable);
  }

  setFence(fence: StateFence | null): void {
    this.#fence = fence;
  }

  /** A write outside a batch: in a transaction of its own while fenced, so the fence is checked with it. */
  #write<T>(operation: string, fn: (m: EntityManager) => Promise<T>, durable = false): Promise<T> {
    return this.#fence ? this.#transaction(operation, fn, durable) : this.#run(operation, fn, durable);
  }

  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. Fenced: the fence is checked first. */
  #transaction<T>(operation: string, unfenced: (m: EntityManager) => Promise<T>, durable = false): Promise<T> {
    const fence = this.#fence;
    const fn = fence
      ? async (m: EntityManager): Promise<T> => {
          await fence.check((sql, params) => m.query(sql, params));
          return unfenced(m);
        }
      : unfenced;
    const go = async (): Promise<T> => {
      this.#assertOpen();
      const qr = this.#ds.createQueryRunner();
      try {
        if (this.#loc.kind === 'sqlite') {
          // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so the
          // transaction cannot fail halfway on another process's lock. typeorm's own
          // transactions use a deferred BEGIN.
          await qr.query('BEGIN IMMEDIATE');
          try {
            const result = await fn(qr.manager);
            await qr.query('COMMIT');
            return result;
          } catch (err) {
            await qr.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }
        await qr.connect();
        await qr.startTransaction();
        try {
          const result = await fn(qr.manager);
          await qr.commitTransaction();
          return result;
        } catch (err) {
          if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
          throw err;
        }
      } catch (err) {
        if (err instanceof SyncError && err.code === 'LEASE_LOST') throw err;
        throw toStateStoreError(err, this.#loc, operation);
      } finally {
        if (this.#loc.kind !== 'sqlite') await qr.release().catch(() => undefined);
      }
    };
    return this.#enqueue(go, durable);
  }

  #assertOpen(): void {
    if (!this.#ds.isInitialized) {
      throw new SyncError('STATE_STORE', `the state store ${this.#loc.display} is not open`, { hint: 'call open() first; this is a bug in cidaas-sync' });
    }
  }

  getUserStates(keys: readonly string[]): Promise<Map<string, UserState>> {
    return this.#run('getUserStates', async (m) => {
      const out = new Map<string, UserState>();
      for (const part of chunks([...new Set(keys)], CHUNK)) {
        for (const row of await StateHotPath.of(m).userStates(m, part)) out.set(row.key, toUserState(row));
      }
      return out;
    });
  }

  recordOutcomes(outcomes: readonly OutcomeRecord[], checkpoint?: string): Promise<void> {
    if (outcomes.length === 0 && checkpoint === undefined) return Promise.resolve();
    return this.#transaction('recordOutcomes', (m) => applyOutcomes(m, outcomes, checkpoint), checkpoint !== undefined);
  }

  getCheckpoint(): Promise<Checkpoint | null> {
    return this.#run('getCheckpoint', async (m) => {
      const row = await m.getRepository(CheckpointEntity).findOneBy({ id: CHECKPOINT_ID });
      return row === null ? null : { position: row.position, updatedAt: row.updatedAt };
    });
  }

  saveCheckpoint(position: string): Promise<void> {
    return this.#write('saveCheckpoint', (m) => upsertCheckpoint(m, position), true);
  }


  getBackfill(): Promise<BackfillProgress | null> {
    return this.#run('getBackfill', async (m) => {
      const r = await m.getRepository(BackfillEntity).findOneBy({ id: 'main' });
      if (r === null) return null;
      return {
        status: r.status === 'done' ? 'done' : 'running',
        startPosition: r.startPosition, lastKey: r.lastKey, usersDone: r.usersDone, usersTotal: r.usersTotal,
        startedAt: r.startedAt, finishedAt: r.finishedAt,
      };
    });
  }

  saveBackfill(p: BackfillProgress): Promise<void> {
    return this.#write('saveBackfill', async (m) => {
      const row = { id: 'main', ...checkBackfill(p) };
      await m.createQueryBuilder().insert().into(BackfillEntity).values(row)
        .orUpdate(['status', 'start_position', 'last_key', 'users_done', 'users_total', 'started_at', 'finished_at'], ['id'])
        .updateEntity(false).execute();
    });
  }

  clearBackfill(): Promise<void> {
    return this.#write('clearBackfill', async (m) => {
      await m.getRepository(BackfillEntity).delete({ id: 'main' });
    });
  }

  listDeadLetters(opts: ListDeadLettersOptions = {}): Promise<DeadLetter[]> {
    return this.#run('listDeadLetters', async (m) => {
      const rows = await m.getRepository(DeadLetterEntity).find({
        where: opts.afterKey === undefined ? {} : { key: MoreThan(opts.afterKey) },
        order: { key: 'ASC' },
        take: checkLimit(opts.limit ?? 100),
      });
      return rows.map(toDeadLetter);
    });
  }

  countDeadLetters(): Promise<number> {
    return this.#run('countDeadLetters', (m) => m.getRepository(DeadLetterEntity).count());
  }

  getDeadLetters(keys: readonly string[]): Promise<Map<string, DeadLetter>> {
    return this.#run('getDeadLetters', async (m) => {
      const rows = await loadDeadLetters(m, keys);
      return new Map([...rows].map(([k, r]) => [k, toDeadLetter(r)]));
    });
  }

  removeDeadLetters(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0);
    return this.#transaction('removeDeadLetters', async (m) => {
      let removed = 0;
      for (const part of chunks([...new Set(keys)], CHUNK)) {
        const result = await m.createQueryBuilder().delete().from(DeadLetterEntity).where({ key: In(part) }).execute();
        removed += result.affected ?? 0;
      }
      return removed;
    });
  }

  countUsers(): Promise<{ live: number; deleted: number }> {
    return this.#run('countUsers', async (m) => {
      const repo = m.getRepository(UserStateEntity);
      return { live: await repo.countBy({ deleted: false }), deleted: await repo.countBy({ deleted: true }) };
    });
  }

  lastPushAt(): Promise<Date | null> {
    return this.#run('lastPushAt', async (m) => {
      const raw: { at?: unknown } | undefined = await m.getRepository(UserStateEntity).createQueryBuilder('u')
        .select('MAX(u.last_push_at)', 'at').getRawOne();
      return raw?.at === null || raw?.at === undefined ? null : new Date(Number(raw.at));
    });
  }

  listUserStates(afterKey: string | null, limit: number): Promise<UserState[]> {
    return this.#run('listUserStates', async (m) => {
      const rows = await m.getRepository(UserStateEntity).find({
        where: afterKey === null ? {} : { key: MoreThan(afterKey) },
        order: { key: 'ASC' },
        take: checkLimit(limit),
      });
      return rows.map(toUserState);
    });
  }

  getMeta(name: string): Promise<string | null> {
    return this.#run('getMeta', async (m) => {
      const row = await m.getRepository(MetaEntity).findOneBy({ name: checkMetaName(name) });
      return row?.value ?? null;
    });
  }

  setMeta(name: string, value: string): Promise<void> {
    return this.#write('setMeta', async (m) => {
      await m.createQueryBuilder().insert().into(MetaEntity).values({ name: checkMetaName(name), value: String(value) })
        .orUpdate(['value'], ['name']).updateEntity(false).execute();
    });
  }
}

