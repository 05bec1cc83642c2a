import { MAX_KEY_LENGTH } from './dispatch/entity-limits.js';
import type { DispatchGovernor } from './dispatch/dispatch-governor.js';
import type { Dispatcher, DispatchItem, ItemResult, KnownStates } from './dispatch/dispatcher.js';
import { ReadAhead } from './dispatch/read-ahead.js';
import { pauseForRetry, SWEEP_RETRY_MS } from './dispatch/retry-schedule.js';
import { assertPageAdvanced } from './legacy-key.js';
import type { LegacyReader, LegacyRows } from './legacy-reader.js';
import type { Logger } from './observability/logger.js';
import type { SyncMetrics } from './observability/metrics.js';
import type { BackfillProgress, StateStore } from './state/state-store.js';

/** At most this many pages are read in one go (and at most as many as may be in flight). */
const MAX_PAGES_PER_READ = 8;

/** Some pages' users in key order: their keys, rows (null: read by the dispatcher) and stored states. */
interface PagesRead {
  readonly rows: Map<string, LegacyRows | null>;
  readonly keys: readonly string[];
  readonly known: KnownStates | undefined;
}

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

  // Batches planned ahead of their governor slot: a batch's mapping and fingerprints (CPU) run
  // before it waits for its slot, so the slot covers only its cidaas calls and calls leave at the
  // governor's pace instead of in bursts when several plans finish together.
  const ahead = new ReadAhead(o.governor.maxConcurrency);
  /** One attempt of a batch: plan it (a place ahead), then its calls under a governor slot; null when stopping. */
  const attempt = async (items: DispatchItem[], known: KnownStates | undefined, entered: boolean): Promise<Map<string, ItemResult> | null> => {
    let inAhead = entered;
    let slot = false;
    try {
      if (!inAhead) {
        if (!(await ahead.enter(o.signal))) return null;
        inAhead = true;
      }
      const prepared = await o.dispatcher.prepare(items, 'backfill', known);
      if (prepared.calls > 0) {
        if (!(await o.governor.acquire(o.signal))) return null;
        slot = true;
      }
      ahead.leave();
      inAhead = false;
      return await o.dispatcher.send(prepared);
    } finally {
      if (inAhead) ahead.leave();
      if (slot) o.governor.release();
    }
  };

  const runPage = async (items: DispatchItem[], page: { done: boolean }, known: KnownStates | undefined): Promise<void> => {
    try {
      let entered = true;
      while (items.length) {
        // The states read with the page hold for its first attempt only: a retry reads them again.
        const results = await attempt(items, items[0]!.attempts === 0 ? known : undefined, entered);
        entered = false;
        if (results === null) return;
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
  // Several pages are read in one go (one query per table, one state read), and the next pages
  // while these are pushed: per user, the reads cost a fraction of what a page at a time did.
  // The first read is one page, so that the first push starts soon; each next one doubles.
  const maxPagesPerRead = Math.max(1, Math.min(MAX_PAGES_PER_READ, o.governor.maxConcurrency));
  let pagesPerRead = 1;
  // The access token is fetched while the first page is read, not after it by the first push.
  void o.dispatcher.warmUp();
  const readPages = async (from: string | null): Promise<PagesRead> => {
    const limit = o.batchSize * pagesPerRead;
    pagesPerRead = Math.min(maxPagesPerRead, pagesPerRead * 2);
    const rows = await o.dispatcher.readPage(from, limit);
    const keys = [...rows.keys()];
    // Not read here is read by the dispatcher: its failure handling applies.
    const known = keys.length ? await o.dispatcher.readStates(keys).catch(() => undefined) : undefined;
    return { rows, keys, known };
  };
  let next: Promise<PagesRead> | null = readPages(after);
  while (next !== null && !o.signal.aborted && failure === null) {
    const read: PagesRead = await next;
    next = null;
    if (read.keys.length === 0) break;
    try {
      assertPageAdvanced(previous, read.keys, 'users.key');
    } catch (err) {
      failure ??= err;
      break;
    }
    previous = read.keys;
    after = read.keys[read.keys.length - 1]!;
    // Until a read comes back empty: a short one is not the end (rows without a key are dropped).
    next = readPages(after);
    let aborted = false;
    for (let i = 0; i < read.keys.length; i += o.batchSize) {
      if (!(await ahead.enter(o.signal))) { aborted = true; break; }
      const keys = read.keys.slice(i, i + o.batchSize);
      const items: DispatchItem[] = keys.map((key) => {
        const rows = read.rows.get(key);
        return { key, expectations: [], attempts: 0, ...(rows ? { read: rows } : {}) };
      });
      const page = { lastKey: keys[keys.length - 1]!, count: keys.length, done: false };
      pages.push(page);
      const task = runPage(items, page, read.known).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (aborted) break;
  }
  // A read started for pages no longer wanted (stopped, failed) ends before the backfill returns.
  if (next !== null) await (next as Promise<PagesRead>).catch(() => undefined);
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
