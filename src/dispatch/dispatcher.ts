import type { CidaasClient } from '../cidaas/cidaas-client.js';
import type { AfterUpdate } from '../cidaas/cidaas-compat.js';
import { isTransient, SyncError } from '../errors.js';
import type { LegacyReader, LegacyRows } from '../legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { SyncMetrics } from '../observability/metrics.js';
import type { RowExpectation } from '../digest/row-expectation.js';
import { retryTransientWrite } from '../state/retry-transient-write.js';
import type { OutcomeRecord, StateStore, UserState } from '../state/state-store.js';
import type { MappedUser, UserMapper } from '../user-mapper.js';
import { BatchPush, type PlannedDelete, type PlannedUpsert } from './batch-push.js';
import { planUser } from './plan-user.js';
import type { OnRevoked } from './push-plan.js';
import { readGate } from './read-gate.js';
import { RetrySchedule, type RetryScheduleOptions } from './retry-schedule.js';

/** A user to push: from the dirty set (with what the log says a read must show) or from a backfill page. */
export interface DispatchItem {
  readonly key: string;
  /** The newest logged image of each changed row; empty for the backfill. */
  readonly expectations: Iterable<RowExpectation>;
  /** Earlier attempts (stale reads, transient failures). */
  readonly attempts: number;
  /**
   * Push even when the fingerprints are unchanged, all of it: cidaas may hold a push whose outcome
   * was never stored (a kill between the call and the store, a call that timed out but was applied).
   */
  readonly force?: boolean;
  /** The root row was deleted since the last push: a user found now is a new one under the same key. */
  readonly rootDeleted?: boolean;
  /** The user's rows, already read with the backfill's page: not read again (first attempt only). */
  readonly read?: LegacyRows;
}

/** What the state store holds for some users: their last pushes and their dead letters. */
export interface KnownStates {
  readonly states: ReadonlyMap<string, UserState>;
  readonly dead: ReadonlyMap<string, unknown>;
}

/** What became of one user of a batch. */
export type ItemResult =
  /** Pushed, deleted, unchanged, skipped or dead-lettered, and stored: no longer pending. */
  | { readonly status: 'done'; /** A cidaas call created, updated, deleted or locked the user. */ readonly pushed?: boolean }
  /** Not pushed now; try again after `delayMs`. */
  | { readonly status: 'retry'; readonly delayMs: number; readonly why: 'stale-read' | 'transient' };

/**
 * A batch read and planned by {@link Dispatcher.prepare}, its cidaas calls not made yet and
 * nothing of it stored: {@link Dispatcher.send} does both. Holds the planned users (bounded by the
 * batch size) until then.
 */
export interface PreparedBatch {
  readonly items: readonly DispatchItem[];
  readonly mode: 'backfill' | 'stream';
  /** The results known already (stale or failed reads, users needing no call); send adds the rest. */
  readonly results: Map<string, ItemResult>;
  readonly outcomes: OutcomeRecord[];
  readonly upserts: readonly PlannedUpsert[];
  readonly deletes: readonly PlannedDelete[];
  readonly dead: ReadonlyMap<string, unknown>;
  /** The users that need a cidaas call: 0 when send only stores. */
  readonly calls: number;
}

/** What a dispatcher reads from, pushes to and stores in; `readRetryMs`/`readRetryMaxMs` time the read gate. */
export interface DispatcherOptions extends RetryScheduleOptions {
  readonly reader: LegacyReader;
  readonly mapper: UserMapper;
  readonly client: CidaasClient;
  readonly store: StateStore;
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  readonly onDelete: 'purge' | 'lock' | 'ignore';
  /** `password.onRevoked`: what becomes in cidaas of a pushed password that is no longer usable. */
  readonly onRevoked: OnRevoked;
  /** What an updated user is read back for (`cidaas.compat` groups, emptyGroups, identities; {@link afterUpdate}). */
  readonly afterUpdate?: AfterUpdate;
  /** `cidaas.compat.totpRemoval: unsupported`: a TOTP removal leaves the seed in cidaas, so each is warned about and counted. */
  readonly keepsRemovedTotp?: boolean;
}

/**
 * The dispatcher (docs/architecture.md step 4): reads the current state of a batch of users from the legacy
 * database, accepts a read only where it is not older than the log ({@link readGate}), builds the
 * cidaas users and decides per user ({@link planUser}), pushes ({@link BatchPush}) and stores the
 * outcomes. Shared by the backfill and the stream.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #log: Logger;
  readonly #schedule: RetrySchedule;
  readonly #push: BatchPush;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'dispatcher' });
    this.#schedule = new RetrySchedule(options);
    this.#push = new BatchPush({ ...options, schedule: this.#schedule }, this.#log);
  }

  /**
   * A backfill page: up to `limit` users after `after` in key order, with their rows when the
   * reader reads pages whole (pass them on as {@link DispatchItem.read}), else only their keys
   * (null rows: {@link process} reads them).
   */
  async readPage(after: string | null, limit: number): Promise<Map<string, LegacyRows | null>> {
    const reader = this.#o.reader;
    if (reader.readPage) return reader.readPage(after, limit);
    return new Map((await reader.pageKeys(after, limit)).map((k) => [k, null]));
  }

  /**
   * Fetches cidaas's access token ahead of the first push. Never fails: a problem with the token
   * is the first push's to report.
   */
  async warmUp(): Promise<void> {
    await this.#o.client.tokenScopes().catch(() => undefined);
  }

  /**
   * The stored states and dead letters of `keys` in one read each: a backfill reads them for
   * several pages at once and passes them to {@link process} with the pages.
   */
  async readStates(keys: readonly string[]): Promise<KnownStates> {
    const [states, dead] = await Promise.all([this.#o.store.getUserStates(keys), this.#o.store.getDeadLetters(keys)]);
    return { states, dead };
  }

  /**
   * Processes one batch and stores its outcomes: {@link prepare} then {@link send}. Throws only what
   * retrying cannot cure (the state store failed, cidaas refused our credentials): the caller stops.
   * `prior`: the items' states and dead letters, read by {@link readStates} since their last
   * outcome (else read here).
   */
  async process(items: readonly DispatchItem[], mode: 'backfill' | 'stream', prior?: KnownStates): Promise<Map<string, ItemResult>> {
    return this.send(await this.prepare(items, mode, prior));
  }

  /**
   * The first half of {@link process}: reads the batch from the legacy database, gates each read
   * against the log and plans each user; makes no cidaas call and stores nothing. The stream runs
   * it before it waits for a governor slot, so reads of the next batches overlap the calls of
   * those in flight. Users whose read was stale or failed already have their `retry` result.
   * Throws only when the state store failed.
   */
  async prepare(items: readonly DispatchItem[], mode: 'backfill' | 'stream', prior?: KnownStates): Promise<PreparedBatch> {
    const o = this.#o;
    const results = new Map<string, ItemResult>();
    const keys = items.map((i) => i.key);
    let states: ReadonlyMap<string, UserState>;
    let dead: ReadonlyMap<string, unknown>;
    let reads: Map<string, LegacyRows>;
    try {
      const unread = items.filter((i) => i.read === undefined).map((i) => i.key);
      [reads, { states, dead }] = await Promise.all([
        unread.length ? o.reader.readUsers(unread) : new Map<string, LegacyRows>(), prior ?? this.readStates(keys),
      ]);
      for (const i of items) if (i.read !== undefined) reads.set(i.key, i.read);
    } catch (err) {
      if (err instanceof SyncError && err.code === 'STATE_STORE') throw err;
      this.#log.warn('reading users from the legacy database failed; retrying', { error: (err as Error).message, users: items.length });
      const delayMs = this.#schedule.readFailed(maxAttempts(items));
      for (const i of items) results.set(i.key, { status: 'retry', delayMs, why: 'transient' });
      return { items, mode, results, outcomes: [], upserts: [], deletes: [], dead: new Map(), calls: 0 };
    }

    const now = new Date();
    const outcomes: OutcomeRecord[] = [];
    const upserts: PlannedUpsert[] = [];
    const deletes: PlannedDelete[] = [];
    for (const item of items) {
      const read = reads.get(item.key)!;
      const gate = readGate(read, item.expectations, item.attempts, this.#schedule);
      if (!gate.pass) {
        o.metrics.staleReads.inc();
        results.set(item.key, { status: 'retry', delayMs: gate.delayMs, why: 'stale-read' });
        continue;
      }
      if (gate.unmet.length) this.#log.warn('the read kept disagreeing with the log; pushing what the database returns', { key: item.key, unmet: gate.unmet });
      const m = this.#map(item.key, read);
      const mapped = m instanceof Promise ? await m : m;
      const plan = planUser({
        key: item.key, mapped, state: states.get(item.key), deadLettered: dead.has(item.key),
        force: item.force === true, rootDeleted: item.rootDeleted === true, mode, onDelete: o.onDelete, onRevoked: o.onRevoked, fingerprintKey: o.store.fingerprintKey(),
      });
      switch (plan.kind) {
        case 'none':
          results.set(item.key, { status: 'done' });
          break;
        case 'dead-letter':
          outcomes.push({ kind: 'dead', key: plan.key, reason: plan.reason, at: now, permanent: true });
          results.set(item.key, { status: 'done' });
          // One line per new dead letter: the key and the reason, which never holds a value.
          if (!dead.has(plan.key)) this.#log.warn('a user went to the dead-letter list', { key: plan.key, reason: plan.reason });
          break;
        case 'suppress':
          o.metrics.suppressed.inc();
          results.set(item.key, { status: 'done' });
          break;
        case 'delete':
          deletes.push({ key: item.key, sub: plan.sub });
          break;
        case 'upsert':
          upserts.push({ key: item.key, user: plan.user, events: plan.events, fingerprints: plan.fingerprints, recreate: plan.recreate,
            attempts: item.attempts, deadLettered: dead.has(item.key) });
          break;
      }
    }
    return { items, mode, results, outcomes, upserts, deletes, dead, calls: upserts.length + deletes.length };
  }

  /**
   * The second half of {@link process}: makes the cidaas calls of a prepared batch (none when
   * `calls` is 0) and stores the outcomes; resolves with every item's result. Throws only what
   * retrying cannot cure.
   */
  async send(batch: PreparedBatch): Promise<Map<string, ItemResult>> {
    const o = this.#o;
    const { items, results, outcomes, dead } = batch;
    // Every call has ended: what went through is recorded, whatever else failed.
    const errors = batch.calls ? await this.#push.push(batch.upserts, batch.deletes, outcomes, results) : [];
    const fatal = errors.find((e) => !isTransient(e));
    if (errors.length && !fatal) {
      this.#log.warn('cidaas is failing; the users not pushed will be retried', { error: (errors[0] as Error).message, users: items.length });
      const delayMs = this.#schedule.pushFailed(maxAttempts(items));
      for (const i of items) if (!results.has(i.key)) results.set(i.key, { status: 'retry', delayMs, why: 'transient' });
    }
    // A dead-lettered user now skipped by the mapping, or gone before it was ever pushed, needs no
    // push and no outcome: it is simply no longer refused.
    const settledAlone = new Set(outcomes.map((x) => x.key));
    const cleared = [...dead.keys()].filter((k) => results.get(k)?.status === 'done' && !settledAlone.has(k));
    // What cidaas now holds must be stored before these users leave flight: a state store locked
    // or restarting for a while is waited for (bounded), not taken for a reason to stop.
    if (outcomes.length) await retryTransientWrite(() => o.store.recordOutcomes(outcomes), { log: this.#log, what: `the outcomes of ${outcomes.length} users` });
    if (cleared.length) await retryTransientWrite(() => o.store.removeDeadLetters(cleared), { log: this.#log, what: 'the dead letters cleared' });
    if (fatal) throw fatal;
    for (const i of items) if (!results.has(i.key)) results.set(i.key, { status: 'done' });
    return results;
  }

  /**
   * The mapping of one read; a mapping that throws makes the user invalid (a dead letter), never
   * the batch. Without a mapping module, no promise (see UserMapper.map): awaited only when one is returned.
   */
  #map(key: string, read: LegacyRows): MappedUser | Promise<MappedUser> {
    try {
      const m = this.#o.mapper.map(read);
      return m instanceof Promise ? m.catch((err: unknown) => this.#mappingFailed(key, err)) : m;
    } catch (err) {
      return this.#mappingFailed(key, err);
    }
  }

  #mappingFailed(key: string, err: unknown): MappedUser {
    return { kind: 'invalid', sub: this.#o.mapper.subOf(key), reason: `mapping failed: ${(err as Error).message}` };
  }
}

function maxAttempts(items: readonly DispatchItem[]): number {
  return Math.max(...items.map((i) => i.attempts));
}
