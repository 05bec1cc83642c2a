import { MAX_KEY_LENGTH } from './dispatch/entity-limits.js';
import type { DispatchGovernor } from './dispatch/dispatch-governor.js';
import type { Dispatcher, DispatchItem } from './dispatch/dispatcher.js';
import { pauseForRetry, SWEEP_RETRY_MS } from './dispatch/retry-schedule.js';
import { assertPageAdvanced } from './legacy-key.js';
import type { LegacyReader, LegacyRows } from './legacy-reader.js';
import type { Logger } from './observability/logger.js';
import type { SyncMetrics } from './observability/metrics.js';
import type { BackfillProgress, StateStore } from './state/state-store.js';

/** Progress as the CLI shows it (bar on a terminal, log lines otherwise). */
export interface BackfillTick {
  readonly done: number;
  readonly total: number | null;
  readonly usersPerSecond: number;
  readonly etaSeconds: number | null;
}

export interface BackfillOptions {
  readonly reader: LegacyReader;
  readonly dispatcher: Dispatcher;
  readonly governor: DispatchGovernor;
  readonly store: StateStore;
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  readonly batchSize: number;
  /** Called after every page with progress. */
  readonly onProgress?: (tick: BackfillTick) => void;
  /** How often a progress line is logged (default 5 s). */
  readonly logEveryMs?: number;
  readonly signal: { readonly aborted: boolean };
}

/**
 * The backfill (docs/architecture.md "Backfill and hand-off"): walks the users table by key in pages, pushes
 * every user through the dispatcher with `concurrency` pages in flight, and saves the last key
 * below which every page is done, so that an interrupted backfill resumes there.
 *
 * When `sweep` is set (a restart over a populated state store), the users the state store holds
 * as live are walked too, so that users deleted from the legacy database meanwhile are deleted in
 * cidaas.
 */
export async function runBackfill(o: BackfillOptions, progress: BackfillProgress): Promise<BackfillProgress> {
  const log = o.logger.child({ component: 'backfill' });
  const total = progress.usersTotal ?? (await o.reader.estimateUserCount().catch(() => null));
  let p: BackfillProgress = { ...progress, usersTotal: total };
  o.metrics.backfillTotal.set(total ?? 0);
  o.metrics.backfillDone.set(p.usersDone);
  const started = Date.now();
  const doneAtStart = p.usersDone;
  let lastLog = started;
  /** Pages in flight, in key order; the saved key advances over the done prefix only. */
  const pages: { lastKey: string; count: number; done: boolean }[] = [];
  let failure: unknown = null;
  let saving: Promise<void> = Promise.resolve();
  const inFlight = new Set<Promise<void>>();

  const tick = (): void => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? (p.usersDone - doneAtStart) / elapsed : 0;
    // The total is an estimate taken at the start; users inserted meanwhile are walked too.
    const shown = total === null ? null : Math.max(total, p.usersDone);
    const eta = shown !== null && rate > 0 ? Math.max(0, (shown - p.usersDone) / rate) : null;
    o.onProgress?.({ done: p.usersDone, total: shown, usersPerSecond: rate, etaSeconds: eta });
    if (Date.now() - lastLog >= (o.logEveryMs ?? 5000)) {
      lastLog = Date.now();
      log.info('backfill progress', { done: p.usersDone, total: shown, usersPerSecond: Math.round(rate), etaSeconds: eta === null ? null : Math.round(eta) });
    }
  };

  const advance = (): void => {
    let moved = false;
    while (pages.length && pages[0]!.done) {
      const page = pages.shift()!;
      // A key too long for the state store is never saved: resuming redoes its page instead (#20).
      p = { ...p, lastKey: page.lastKey.length <= MAX_KEY_LENGTH ? page.lastKey : p.lastKey, usersDone: p.usersDone + page.count };
      moved = true;
    }
    if (!moved) return;
    o.metrics.backfillDone.set(p.usersDone);
    // At most once a second: a resumed backfill redoes the pages since, and the fingerprints make
    // those cost reads but no cidaas calls.
    if (Date.now() - lastSave >= 1000) save();
    tick();
  };
  let lastSave = 0;
  const save = (): void => {
    lastSave = Date.now();
    const snapshot = p;
    saving = saving.then(() => o.store.saveBackfill(snapshot)).catch((err: unknown) => { failure ??= err; });
  };

  const runPage = async (rows: Map<string, LegacyRows | null>, page: { done: boolean }): Promise<void> => {
    let items: DispatchItem[] = [...rows].map(([key, read]) => ({ key, expectations: [], attempts: 0, ...(read ? { read } : {}) }));
    try {
      while (items.length) {
        const results = await o.dispatcher.process(items, 'backfill');
        const retry = items.filter((i) => results.get(i.key)?.status === 'retry');
        if (!retry.length) break;
        const delays = retry.map((i) => { const r = results.get(i.key)!; return r.status === 'retry' ? r.delayMs : 0; });
        await pauseForRetry(Math.max(...delays));
        if (o.signal.aborted) return;
        // A retry reads the user again: the page's rows are old by now.
        items = retry.map(({ read: _read, ...i }) => ({ ...i, attempts: i.attempts + 1, force: true }));
      }
      page.done = true;
      advance();
    } catch (err) {
      failure ??= err;
    }
  };

  let after = p.lastKey;
  let previous: readonly string[] = after === null ? [] : [after];
  log.info(after === null ? 'backfill starting' : 'backfill resuming', { after, total });
  while (!o.signal.aborted && failure === null) {
    const rows = await o.dispatcher.readPage(after, o.batchSize);
    if (rows.size === 0) break;
    const keys = [...rows.keys()];
    try {
      assertPageAdvanced(previous, keys, 'users.key');
    } catch (err) {
      failure ??= err;
      break;
    }
    previous = keys;
    after = keys[keys.length - 1]!;
    if (!(await o.governor.acquire(o.signal))) break;
    const page = { lastKey: after, count: keys.length, done: false };
    pages.push(page);
    const task = runPage(rows, page).finally(() => {
      o.governor.release();
      inFlight.delete(task);
    });
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  save();
  await saving;
  if (failure !== null) throw failure;
  if (o.signal.aborted) {
    log.info('backfill interrupted; it resumes from the last key done', { lastKey: p.lastKey, done: p.usersDone });
    return p;
  }
  p = { ...p, status: 'done', finishedAt: new Date() };
  await o.store.saveBackfill(p);
  tick();
  let dead = 0;
  try {
    dead = await o.store.countDeadLetters();
  } catch {
    // The count only feeds the summary line: the backfill itself is done.
  }
  const line = `backfill done: ${p.usersDone} users, ${dead} dead letter${dead === 1 ? '' : 's'}${dead > 0 ? ' (`cidaas-sync dlq list`)' : ''}`;
  log.info(line, { users: p.usersDone, deadLetters: dead, seconds: Math.round((Date.now() - started) / 1000) });
  return p;
}

/**
 * After a backfill over a populated state store: every user the store holds as live but the legacy
 * database no longer has is deleted in cidaas (through the dispatcher, which sees the root row gone).
 */
export async function sweepDeleted(o: BackfillOptions): Promise<number> {
  let after: string | null = null;
  let swept = 0;
  for (;;) {
    const states = await o.store.listUserStates(after, 500);
    if (!states.length) return swept;
    after = states[states.length - 1]!.key;
    const live = states.filter((s) => !s.deleted).map((s) => s.key);
    if (!live.length) continue;
    const rows = await o.reader.readUsers(live);
    const gone = live.filter((k) => rows.get(k)!.user === null);
    for (let i = 0; i < gone.length; i += o.batchSize) {
      let items: DispatchItem[] = gone.slice(i, i + o.batchSize).map((key) => ({ key, expectations: [], attempts: 0 }));
      while (items.length && !o.signal.aborted) {
        const results = await o.dispatcher.process(items, 'backfill');
        items = items.filter((x) => results.get(x.key)?.status === 'retry').map((x) => ({ ...x, attempts: x.attempts + 1 }));
        if (items.length) await pauseForRetry(SWEEP_RETRY_MS);
      }
      swept += gone.slice(i, i + o.batchSize).length;
    }
  }
}
