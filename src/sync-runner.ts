// Over 300 lines on purpose: the outcome -> checkpoint -> acknowledge order, the shutdown that
// keeps it, and the failure paths that must not break it are one state machine, read together.
import { runBackfill, type BackfillTick } from './backfill.js';
import { BackfillLifecycle } from './backfill-lifecycle.js';
import type { DispatchGovernor } from './dispatch/dispatch-governor.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import { SyncError } from './errors.js';
import type { LegacyReader } from './legacy-reader.js';
import { CommitClock } from './observability/commit-clock.js';
import { PushSummary } from './observability/push-summary.js';
import { ReadAhead } from './dispatch/read-ahead.js';
import type { Logger } from './observability/logger.js';
import type { SyncMetrics } from './observability/metrics.js';
import type { Source, SourceHandler } from './source.js';
import { countDeadLettersByKind } from './observability/dead-letter-reasons.js';
import type { StateStore } from './state/state-store.js';
import { retryTransientWrite } from './state/retry-transient-write.js';
import { SyncEngine, type DirtyUser } from './sync-engine.js';
import type { Translator } from './translator.js';
import { META } from './state/meta-keys.js';

export interface SyncRunnerOptions {
  readonly source: Source;
  readonly reader: LegacyReader;
  readonly translator: Translator;
  readonly dispatcher: Dispatcher;
  readonly governor: DispatchGovernor;
  readonly store: StateStore;
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  readonly batchSize: number;
  readonly maxDirtyUsers: number;
  /** Debounce of a changed user before it is pushed (ms). */
  readonly quietMs: number;
  readonly maxDelayMs: number;
  readonly onBackfillProgress?: (tick: BackfillTick) => void;
}

/** The state store's note of whether the streaming run stopped cleanly ('true') or not ('false'). */
const CLEAN_META = META.runnerClean;

/** While busy, at most one checkpoint write this often (ms): a change waits at most this much longer for its acknowledgement. */
const CHECKPOINT_EVERY_MS = 100;

/** Where the runner is, for /readyz and `status`. */
export type RunnerPhase = 'starting' | 'backfill' | 'streaming' | 'stopping' | 'stopped' | 'failed';

/**
 * Runs the sidecar: backfill if it is not done, then stream. The order of every batch is
 * outcome -> checkpoint -> acknowledge (docs/architecture.md step 6): the source is told only what is stored.
 */
export class SyncRunner {
  readonly #o: SyncRunnerOptions;
  readonly #log: Logger;
  #engine: SyncEngine | null = null;
  #phase: RunnerPhase = 'starting';
  readonly #abort = { aborted: false };
  #failure: Error | null = null;
  #failed: ((err: Error) => void) | null = null;
  #batches = new Set<Promise<void>>();
  #checkpointing: Promise<void> | null = null;
  #checkpointAgain = false;
  /** When the last checkpoint write started (ms since epoch). */
  #lastCheckpointAt = 0;
  #stopped: Promise<void> | null = null;
  #lagTimer: NodeJS.Timeout | null = null;
  #deadLettersCounted = -1;
  readonly #commits: CommitClock;
  readonly #readAhead: ReadAhead;
  readonly #summary: PushSummary;

  constructor(options: SyncRunnerOptions) {
    this.#o = options;
    this.#commits = new CommitClock((a, b) => options.source.comparePositions(a, b));
    this.#log = options.logger.child({ component: 'runner' });
    // As many batches read ahead as may be in flight: twice the governor's batches held at most.
    this.#readAhead = new ReadAhead(options.governor.maxConcurrency);
    this.#summary = new PushSummary(this.#log);
  }

  get phase(): RunnerPhase { return this.#phase; }
  /** The engine while streaming (for status and tests). */
  get engine(): SyncEngine | null { return this.#engine; }
  /** Source commit times of the changes not yet checkpointed: the lag in the source's own time. */
  get commitClock(): CommitClock { return this.#commits; }

  /**
   * Backfills if needed, then streams until {@link stop} or a failure that retrying cannot cure.
   * Resolves after a clean stop; rejects with the failure.
   */
  async run(): Promise<void> {
    const o = this.#o;
    const failed = new Promise<never>((_, reject) => { this.#failed = reject; });
    failed.catch(() => undefined);
    try {
      await o.source.prepare();
      let checkpoint = (await o.store.getCheckpoint())?.position ?? null;
      let backfill = await o.store.getBackfill();
      if (!backfill || backfill.status === 'running') {
        this.#phase = 'backfill';
        const lifecycle = new BackfillLifecycle(o.source, o.store);
        backfill = await lifecycle.begin(backfill);
        const bo = {
          reader: o.reader, dispatcher: o.dispatcher, governor: o.governor, store: o.store, logger: o.logger,
          metrics: o.metrics, batchSize: o.batchSize, signal: this.#abort, ...(o.onBackfillProgress ? { onProgress: o.onBackfillProgress } : {}),
        };
        backfill = await Promise.race([runBackfill(bo, backfill), failed]);
        if (this.#abort.aborted) return;
        const swept = await lifecycle.sweepIfPending(bo);
        if (this.#abort.aborted) return;
        if (swept !== null) this.#log.info('sweep of users deleted meanwhile done', { deleted: swept });
        // Stream from the hand-off position: changes made during the backfill are replayed.
        checkpoint = await lifecycle.handOff(backfill, checkpoint);
      }
      if (this.#abort.aborted) return;
      await this.#stream(checkpoint, failed);
    } catch (err) {
      this.#phase = 'failed';
      throw err;
    } finally {
      await this.#shutdown();
    }
  }

  async #stream(checkpoint: string | null, failed: Promise<never>): Promise<void> {
    const o = this.#o;
    const engine = new SyncEngine({
      maxDirtyUsers: o.maxDirtyUsers, comparePositions: (a, b) => o.source.comparePositions(a, b), checkpoint,
      quietMs: o.quietMs, maxDelayMs: o.maxDelayMs,
    });
    this.#engine = engine;
    // After an unclean stop, cidaas may hold pushes whose outcomes were never stored, so the
    // fingerprints cannot be trusted for what is replayed: up to the end of the log as it is now,
    // every dirty user is pushed whole.
    let replayUntil: string | null = null;
    if ((await o.store.getMeta(CLEAN_META)) === 'false') {
      replayUntil = await o.source.currentPosition();
      this.#log.warn('the last run did not stop cleanly: replayed changes are pushed whatever their fingerprints', { until: replayUntil });
    }
    await o.store.setMeta(CLEAN_META, 'false');
    const passed = (position: string): void => {
      if (replayUntil !== null && o.source.comparePositions(position, replayUntil) > 0) replayUntil = null;
    };
    const handler: SourceHandler = {
      begin: async () => engine.begin(),
      change: async (change) => {
        const t = o.translator.translate(change);
        if ('marks' in t) {
          engine.mark(t.marks, replayUntil !== null);
          o.metrics.pendingUsers.set(engine.pendingCount);
          await engine.waitForRoom();
        }
      },
      truncate: async (t) => {
        throw new SyncError('SOURCE_PROTOCOL', `TRUNCATE of ${t.tables.join(', ')}: every row of a configured table is gone at once`, {
          hint: 'cidaas-sync does not delete users in bulk on its own. If the truncate was intended, run `cidaas-sync backfill --restart`: it resynchronises every user and deletes in cidaas those no longer in the legacy database',
        });
      },
      commit: async (tx) => {
        this.#commits.committed(tx.position, tx.commitTime);
        engine.commit(tx.position);
        passed(tx.position);
        this.#scheduleCheckpoint();
      },
      abort: async () => engine.abort(),
      idle: async (position) => {
        engine.idle(position);
        passed(position);
        this.#scheduleCheckpoint();
      },
    };
    await o.source.start(checkpoint, handler, (err) => this.#fail(err));
    this.#phase = 'streaming';
    this.#log.info('streaming', { from: checkpoint });
    this.#lagTimer = setInterval(() => void this.#observeLag(), 5000);
    this.#lagTimer.unref();
    this.#summary.start();
    await Promise.race([this.#dispatchLoop(engine), failed]);
  }

  /**
   * Takes batches while fewer than the read-ahead limit are being read or wait for a governor
   * slot: the slot is held only around a batch's cidaas calls, so the legacy reads of the next
   * batches overlap the calls of those in flight.
   */
  async #dispatchLoop(engine: SyncEngine): Promise<void> {
    const o = this.#o;
    while (!this.#abort.aborted) {
      const wait = engine.nextReadyIn();
      if (wait === null || wait > 0) {
        await engine.waitForWork(wait === null ? 1000 : Math.min(wait, 1000));
        continue;
      }
      if (!(await this.#readAhead.enter(this.#abort))) break;
      const users = engine.take(o.batchSize);
      if (!users.length) {
        this.#readAhead.leave();
        continue;
      }
      const task = this.#runBatch(engine, users).finally(() => this.#batches.delete(task));
      this.#batches.add(task);
    }
    await Promise.all(this.#batches);
  }

  /** One batch: read and plan (a read-ahead place), then its calls (a governor slot) and its outcomes stored. */
  async #runBatch(engine: SyncEngine, users: DirtyUser[]): Promise<void> {
    const o = this.#o;
    const started = Date.now();
    let ahead = true;
    let slot = false;
    try {
      const items = users.map((u) => ({ key: u.key, expectations: [...u.expectations.values()], attempts: u.attempts, force: u.force, rootDeleted: u.rootDeleted }));
      const prepared = await o.dispatcher.prepare(items, 'stream');
      // A stale or failed read waits for its own retry, not for the calls of the others. After a
      // failed read the user is pushed whole next time, as after a failed call.
      for (const u of users) {
        const r = prepared.results.get(u.key);
        if (r?.status === 'retry') engine.requeue(u, r.delayMs, r.why === 'transient');
      }
      if (prepared.calls > 0) {
        // Stopping: nothing of this batch is sent or stored. Its users stay in flight, so no
        // checkpoint passes them, and the next run pushes them.
        if (!(await o.governor.acquire(this.#abort))) return;
        slot = true;
      }
      this.#readAhead.leave();
      ahead = false;
      const results = await o.dispatcher.send(prepared);
      if (slot) o.governor.release();
      slot = false;
      const done: DirtyUser[] = [];
      const now = Date.now();
      for (const u of users) {
        const r = results.get(u.key);
        // After a transient failure cidaas may have applied the call anyway: push it whole next time.
        if (r?.status === 'retry') engine.requeue(u, r.delayMs, r.why === 'transient');
        else {
          done.push(u);
          o.metrics.commitToPushSeconds.observe((now - u.since) / 1000);
          this.#summary.settled(now - u.since, r?.status === 'done' && r.pushed === true);
        }
      }
      engine.complete(done);
      this.#summary.batch();
      o.metrics.batchSeconds.observe((now - started) / 1000);
      o.metrics.pendingUsers.set(engine.pendingCount);
      this.#scheduleCheckpoint();
    } catch (err) {
      // Not stored: leave the users in flight so the watermark cannot pass them, and stop.
      this.#fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      if (ahead) this.#readAhead.leave();
      if (slot) o.governor.release();
    }
  }

  /**
   * outcome -> checkpoint -> acknowledge, one at a time, coalescing requests made meanwhile: while
   * busy (thousands of commits a second each ask for one), at most one checkpoint write per
   * CHECKPOINT_EVERY_MS, each a durable write of its own. Stopping does not wait.
   */
  #scheduleCheckpoint(): void {
    if (this.#checkpointing) {
      this.#checkpointAgain = true;
      return;
    }
    this.#checkpointing = (async () => {
      do {
        const wait = this.#lastCheckpointAt + CHECKPOINT_EVERY_MS - Date.now();
        if (wait > 0 && !this.#abort.aborted) await new Promise<void>((resolve) => setTimeout(resolve, wait));
        this.#checkpointAgain = false;
        const engine = this.#engine;
        const wm = engine?.watermark() ?? null;
        if (!engine || wm === null) continue;
        this.#lastCheckpointAt = Date.now();
        try {
          await retryTransientWrite(() => this.#o.store.saveCheckpoint(wm), { log: this.#log, what: 'the checkpoint', stopped: () => this.#failure !== null });
        } catch (err) {
          this.#fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        engine.checkpointed(wm);
        this.#commits.checkpointed(wm);
        await this.#o.source.acknowledge(wm);
      } while (this.#checkpointAgain && !this.#failure);
    })().finally(() => { this.#checkpointing = null; });
  }

  async #observeLag(): Promise<void> {
    const e = this.#engine;
    if (!e) return;
    const lagSeconds = e.oldestPendingAge() / 1000;
    this.#o.metrics.lagSeconds.set(lagSeconds);
    this.#o.metrics.pendingUsers.set(e.pendingCount);
    try {
      const lag = await this.#o.source.lag();
      if (lag.bytes !== null) this.#o.metrics.lagBytes.set(lag.bytes);
      if (lag.retainedBytes !== null) this.#o.metrics.retainedBytes.set(lag.retainedBytes);
    } catch {
      // The source is reconnecting; the next round reports.
    }
    await this.#o.store.countDeadLetters().then(async (n) => {
      this.#o.metrics.deadLetters.set(n);
      if (n === this.#deadLettersCounted) return;
      // By kind of reason, recounted only when the total moved (it reads the whole list).
      const byKind = await countDeadLettersByKind(this.#o.store);
      this.#o.metrics.deadLettersByReason.reset();
      for (const [reason, count] of Object.entries(byKind)) this.#o.metrics.deadLettersByReason.set({ reason }, count);
      this.#deadLettersCounted = n;
    }).catch(() => undefined);
    // For `status` in another process: what only this process knows.
    await this.#o.store.setMeta(META.statusPending, JSON.stringify({
      users: e.pendingCount, at: new Date().toISOString(), phase: this.#phase, lagSeconds: Math.round(lagSeconds * 10) / 10,
    })).catch(() => undefined);
  }

  #fail(err: Error): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#abort.aborted = true;
    this.#o.governor.wakeAll();
    this.#readAhead.wakeAll();
    this.#log.error('stopping on an error', { error: err.message, ...(err instanceof SyncError ? { code: err.code } : {}) });
    this.#failed?.(err);
  }

  /** Finishes the batches in flight, checkpoints and acknowledges what is stored, stops the source. */
  #shutdown(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#phase = this.#failure ? 'failed' : 'stopping';
      this.#abort.aborted = true;
      this.#o.governor.wakeAll();
      this.#readAhead.wakeAll();
      if (this.#lagTimer) clearInterval(this.#lagTimer);
      await Promise.all(this.#batches);
      this.#summary.stop();
      while (this.#checkpointing) await this.#checkpointing;
      if (!this.#failure) {
        this.#scheduleCheckpoint();
        while (this.#checkpointing) await this.#checkpointing;
        // Every push in flight is stored: the next run may trust the fingerprints again.
        if (this.#engine && !this.#failure) await this.#o.store.setMeta(CLEAN_META, 'true').catch(() => undefined);
      }
      await this.#o.source.stop().catch((err: unknown) => this.#log.warn('stopping the source failed', { error: (err as Error).message }));
      if (!this.#failure) this.#phase = 'stopped';
    })();
    return this.#stopped;
  }

  /**
   * Stops at once on `err` (the lease was lost): no new batch, no checkpoint, no drain; {@link run}
   * rejects with `err` once the batches in flight have ended.
   */
  abort(err: Error): void {
    this.#fail(err);
    this.#engine?.wakeAll();
  }

  /**
   * Graceful stop (SIGTERM): no new batch starts; those in flight finish, are stored, checkpointed
   * and acknowledged; then {@link run} resolves.
   */
  stop(): void {
    this.#abort.aborted = true;
    this.#o.governor.wakeAll();
    this.#readAhead.wakeAll();
    this.#engine?.wakeAll();
  }
}
