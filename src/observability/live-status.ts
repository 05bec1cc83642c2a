import type { Source } from '../source.js';
import type { StateStore } from '../state/state-store.js';
import { VERSION } from '../version.js';
import type { CommitClock } from './commit-clock.js';
import type { SyncMetrics } from './metrics.js';
import { assembleStatus, readStoredStatus, type StatusReport } from './status-report.js';
import { META } from '../state/meta-keys.js';

/** The meta key `verify` and `cutover` keep the summary of their last report in (JSON {@link LastVerify}). */
export const LAST_VERIFY_META = META.lastVerify;

/** The summary of the last verify run, as the status page shows it. */
export interface LastVerify {
  at: string;
  command: string;
  equal: boolean;
  complete: boolean;
  checked: number;
  legacyUsers: number;
  counts: Record<string, unknown>;
  /** Where the reports were written (paths on the host that ran verify). */
  reports: string[];
}

/** One sample of the history the page charts: taken every {@link LiveStatusOptions.sampleMs}. */
export interface HistoryPoint {
  /** Unix ms. */
  t: number;
  /** Age of the oldest unpushed change (s). */
  lagSeconds: number;
  /** Source commit lag (s), see {@link CommitClock}. */
  commitLagSeconds: number;
  /** Counter totals at `t`; the page shows their differences as per-minute rates. */
  pushes: number;
  events: number;
  throttled: number;
  backfillDone: number;
}

/** Dead letters with one reason. */
export interface DeadLetterGroup {
  reason: string;
  count: number;
  /** The first keys with this reason (at most 20). */
  keys: string[];
}

/** What `/status.json` answers and the page at `/` renders. Keys and counts only, never a value. */
export interface LiveStatus {
  generatedAt: string;
  version: string;
  phase: string;
  role: string;
  /** The same report `cidaas-sync status --json` prints. */
  status: StatusReport;
  backfill: { percent: number | null; usersPerSecond: number | null; etaSeconds: number | null } | null;
  lag: { seconds: number; commitSeconds: number; sinceAdvanceSeconds: number | null };
  rates: { pushesPerMinute: number; eventsPerMinute: number; throttledPerMinute: number; throttledTotal: number; concurrency: number };
  /** Rows read per configured table (backfill, stream and retries). */
  tables: { table: string; rows: number }[];
  deadLetters: { total: number; groups: DeadLetterGroup[]; truncated: boolean };
  lastVerify: LastVerify | null;
  history: HistoryPoint[];
  actions: boolean;
}

/** Where the live status comes from. */
export interface LiveStatusOptions {
  readonly store: StateStore;
  readonly source: Pick<Source, 'lag'>;
  readonly storeLocation: string;
  readonly metrics: SyncMetrics;
  readonly phase: () => string;
  readonly role?: () => string;
  readonly commits?: () => CommitClock | null;
  readonly actions: boolean;
  /** Default 10 s; 360 samples (one hour) are kept. */
  readonly sampleMs?: number;
}

const HISTORY = 360;
const DEAD_LETTER_SCAN = 10_000;

/**
 * The running sidecar's status for operators: the stored status (as `status` reads it), what only
 * the running process knows (phase, rates, lag in source time) and an hour of history, sampled
 * in memory. Refreshes the phase and lag gauges on every sample and on every scrape.
 */
export class LiveStatusBoard {
  readonly #o: LiveStatusOptions;
  readonly #history: HistoryPoint[] = [];
  #timer: NodeJS.Timeout | null = null;
  #cache: { at: number; value: Promise<LiveStatus> } | null = null;
  /** Stands in for the last advance until the first checkpoint: a position stuck from the start still ages. */
  readonly #startedAt = Date.now();

  constructor(options: LiveStatusOptions) {
    this.#o = options;
  }

  /** Starts sampling (idempotent). */
  start(): void {
    if (this.#timer) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#o.sampleMs ?? 10_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Sets the gauges only the running process knows: phase, commit lag, checkpoint age. */
  refreshGauges(): void {
    const m = this.#o.metrics;
    const phase = this.#o.phase();
    for (const p of ['starting', 'backfill', 'streaming', 'stopping', 'stopped', 'failed']) m.phase.set({ phase: p }, p === phase ? 1 : 0);
    const clock = this.#o.commits?.() ?? null;
    if (!clock) return;
    m.commitLagSeconds.set(clock.lagSeconds());
    m.checkpointTimestamp.set((clock.lastAdvanceMs ?? this.#startedAt) / 1000);
    if (clock.lastCommitMs !== null) m.lastCommitTimestamp.set(clock.lastCommitMs / 1000);
  }

  /** Takes one history sample now. */
  async sample(): Promise<void> {
    this.refreshGauges();
    const m = this.#o.metrics;
    const [lag, commitLag, pushes, events, throttled, backfillDone] = await Promise.all([
      m.value(m.lagSeconds), m.value(m.commitLagSeconds), m.sum(m.pushes), m.sum(m.domainEvents), m.value(m.throttled), m.value(m.backfillDone),
    ]);
    this.#history.push({ t: Date.now(), lagSeconds: lag, commitLagSeconds: commitLag, pushes, events, throttled, backfillDone });
    if (this.#history.length > HISTORY) this.#history.shift();
  }

  /** The live status; computed at most once a second however many pages ask. */
  snapshot(): Promise<LiveStatus> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > 1000) {
      const value = this.#compute();
      value.catch(() => { this.#cache = null; });
      this.#cache = { at: now, value };
    }
    return this.#cache.value;
  }

  async #compute(): Promise<LiveStatus> {
    const o = this.#o;
    const m = o.metrics;
    this.refreshGauges();
    const lagAnswer = o.source.lag().then((lag) => ({ lag, error: undefined }), (err: unknown) => ({ lag: null, error: (err as Error).message }));
    const [stored, { lag, error }, groups, lastVerify, tables] = await Promise.all([
      readStoredStatus(o.store), lagAnswer, this.#deadLetterGroups(), this.#lastVerify(), m.rowsRead.get(),
    ]);
    const status = assembleStatus(o.storeLocation, stored, lag, error);
    const clock = o.commits?.() ?? null;
    const h = this.#history;
    const last = h[h.length - 1];
    // Rates over the last five minutes of samples (or what there is).
    const from = h.find((p) => last !== undefined && last.t - p.t <= 5 * 60_000) ?? last;
    const minutes = last && from && last.t > from.t ? (last.t - from.t) / 60_000 : 0;
    const perMinute = (k: 'pushes' | 'events' | 'throttled'): number => (minutes > 0 ? Math.round((last![k] - from![k]) / minutes) : 0);
    const b = status.backfill;
    let backfill: LiveStatus['backfill'] = null;
    if (b) {
      const total = b.usersTotal === null ? null : Math.max(b.usersTotal, b.usersDone);
      const rate = b.status === 'running' && minutes > 0 ? (last!.backfillDone - from!.backfillDone) / (minutes * 60) : null;
      backfill = {
        percent: b.status === 'done' ? 100 : total ? Math.min(100, Math.floor((100 * b.usersDone) / total)) : null,
        usersPerSecond: rate === null ? null : Math.round(rate),
        etaSeconds: rate && total !== null ? Math.round(Math.max(0, total - b.usersDone) / rate) : null,
      };
    }
    return {
      generatedAt: new Date().toISOString(),
      version: VERSION,
      phase: o.phase(),
      role: o.role?.() ?? 'active',
      status,
      backfill,
      lag: {
        seconds: await m.value(m.lagSeconds),
        commitSeconds: clock?.lagSeconds() ?? 0,
        sinceAdvanceSeconds: clock?.lastAdvanceMs == null ? null : Math.round((Date.now() - clock.lastAdvanceMs) / 1000),
      },
      rates: {
        pushesPerMinute: perMinute('pushes'), eventsPerMinute: perMinute('events'), throttledPerMinute: perMinute('throttled'),
        throttledTotal: await m.value(m.throttled), concurrency: await m.value(m.concurrency),
      },
      tables: tables.values.map((v) => ({ table: String(v.labels['table']), rows: v.value })),
      deadLetters: groups,
      lastVerify,
      history: [...h],
      actions: o.actions,
    };
  }

  async #deadLetterGroups(): Promise<LiveStatus['deadLetters']> {
    const store = this.#o.store;
    const [total, letters] = await Promise.all([store.countDeadLetters(), store.listDeadLetters({ limit: DEAD_LETTER_SCAN })]);
    const byReason = new Map<string, DeadLetterGroup>();
    for (const d of letters) {
      const g = byReason.get(d.reason) ?? { reason: d.reason, count: 0, keys: [] };
      g.count++;
      if (g.keys.length < 20) g.keys.push(d.key);
      byReason.set(d.reason, g);
    }
    return { total, groups: [...byReason.values()].sort((a, b) => b.count - a.count), truncated: total > letters.length };
  }

  async #lastVerify(): Promise<LastVerify | null> {
    const raw = await this.#o.store.getMeta(LAST_VERIFY_META);
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as LastVerify;
    } catch {
      return null;
    }
  }
}
