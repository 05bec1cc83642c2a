import type { Logger } from './logger.js';

/** Latency buckets: bucket k holds latencies up to FIRST_MS * GROWTH^k ms (the last one, anything longer). */
const FIRST_MS = 1;
const GROWTH = 1.1;
const BUCKETS = 160;

/**
 * The stream's progress line. A line per push costs more CPU than it is worth at thousands of
 * changes a second (those lines are at debug level), so every `intervalMs` one info line says how
 * many changed users were settled and how many of them needed a cidaas call, in how many batches,
 * and the 99th percentile of their time from the first change to the stored outcome. Nothing is
 * logged for an interval without a settled user. Constant memory: the latencies go into
 * logarithmic buckets (the p99 is the upper bound of its bucket, within 10 %).
 */
export class PushSummary {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #buckets = new Uint32Array(BUCKETS);
  #users = 0;
  #pushed = 0;
  #batches = 0;
  #since: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(log: Logger, options: { readonly intervalMs?: number; readonly now?: () => number } = {}) {
    this.#log = log;
    this.#intervalMs = options.intervalMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#since = this.#now();
  }

  /** Logs a summary every interval until {@link stop}. */
  start(): void {
    if (this.#timer) return;
    this.#since = this.#now();
    this.#timer = setInterval(() => this.flush(), this.#intervalMs);
    this.#timer.unref();
  }

  /** A changed user is settled (its outcome stored) `latencyMs` after it first changed; `pushed`: it needed a cidaas call. */
  settled(latencyMs: number, pushed: boolean): void {
    this.#users++;
    if (pushed) this.#pushed++;
    this.#buckets[bucketOf(latencyMs)]! += 1;
  }

  /** A batch ended with its outcomes stored. */
  batch(): void {
    this.#batches++;
  }

  /** Logs the summary of the interval so far, if a user was settled in it, and starts a new interval. */
  flush(): void {
    const now = this.#now();
    const seconds = Math.max(0, Math.round((now - this.#since) / 100) / 10);
    this.#since = now;
    if (this.#users === 0) return;
    const p99Ms = Math.round(upperBound(percentileBucket(this.#buckets, this.#users, 0.99)));
    this.#log.info(`pushed: ${this.#pushed} users (${this.#users} changed users settled in ${this.#batches} batches, p99 ${p99Ms} ms from the change) in the last ${seconds} s`, {
      seconds, users: this.#users, pushed: this.#pushed, batches: this.#batches, p99Ms,
    });
    this.#users = 0;
    this.#pushed = 0;
    this.#batches = 0;
    this.#buckets.fill(0);
  }

  /** Logs what is left and stops the timer. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.flush();
  }
}

function bucketOf(ms: number): number {
  if (!(ms > FIRST_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FIRST_MS) / Math.log(GROWTH)));
}

function upperBound(bucket: number): number {
  return FIRST_MS * GROWTH ** bucket;
}

/** The bucket holding the `q` quantile of `total` counts. */
function percentileBucket(buckets: Uint32Array, total: number, q: number): number {
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let k = 0; k < buckets.length; k++) {
    seen += buckets[k]!;
    if (seen >= rank) return k;
  }
  return buckets.length - 1;
}
