/**
 * A prototype of changes to src/dispatch-governor.ts (the lead owns src/), for pg.rate_limit
 * experiments only: the same public surface as DispatchGovernor, so an instance can stand in for
 * the pipeline's (see {@link standIn}). What it changes, and why (bench/README of the report):
 *
 * 1. One decrease per congestion episode: the 429s of calls already in flight when the first one
 *    came do not cut again (the original compounds 0.85^n for a burst of n 429s).
 * 2. The decrease starts from the rate of *accepted* calls (over the last 5 s, or the last second
 *    when higher), not from every answer of the last 3 s, which 429s and retries inflate.
 * 3. Fast recovery: below the rate at which the last 429 came, the rate climbs half the gap a
 *    second; above it, it probes slowly, 0.5 %/s (the original's 2 %/s everywhere takes ~40 s from
 *    9 to 20, and above the limit reaches the next 429, with its Retry-After pause, within seconds).
 * 4. No growth while something else limits: the rate grows only when the calls actually ran at
 *    >= 90 % of it, so it cannot drift far above what was ever tried and then burst.
 * 5. Optionally (`slowStart`), paced from the first call at 4 calls/s, doubling every second
 *    until the first 429, instead of unpaced (with concurrency 16 and 200 ms calls, 80 calls/s at
 *    once: a burst of 429s before the first one is even seen). Measured: it trades that burst for
 *    ~3 s of ramp and an overshoot the bucket hides, so it does not pay at 20 calls/s.
 */
import type { DispatchGovernor } from '../../src/dispatch-governor.js';

/** Accepted calls are counted over this long: long enough to span a Retry-After pause and the bucket refill it causes. */
const WINDOW_MS = 5000;
/** Calls started are counted over the last second, to see whether the pace binds. */
const PACE_WINDOW_MS = 1000;

export class GovernorPrototype {
  readonly #max: number;
  #inFlight = 0;
  #rate: number;
  #slowStart: boolean;
  /** The accepted-call rate when the last 429 came: where fast recovery aims. */
  #lastLimit = Infinity;
  #holdUntil = 0;
  #pausedUntil = 0;
  #nextSlot = 0;
  #lastIncrease = 0;
  #accepted: number[] = [];
  #started: number[] = [];
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #throttles = 0;

  constructor(options: { maxConcurrency: number; slowStart?: boolean }) {
    this.#max = options.maxConcurrency;
    this.#slowStart = options.slowStart ?? false;
    this.#rate = this.#slowStart ? 4 : Infinity;
  }

  get inFlight(): number { return this.#inFlight; }
  get rate(): number { return this.#rate; }
  get throttles(): number { return this.#throttles; }

  async acquire(signal?: { readonly aborted: boolean }): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const wait = this.#waitMs();
      if (wait === 0) {
        const now = Date.now();
        this.#inFlight++;
        this.#started.push(now);
        if (this.#rate !== Infinity) this.#nextSlot = Math.max(this.#nextSlot, now) + 1000 / this.#rate;
        return true;
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        if (wait !== Infinity) this.#arm(wait);
      });
    }
  }

  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#wake();
  }

  wakeAll(): void {
    this.#wake();
  }

  onResponse(status: number): void {
    const now = Date.now();
    if (status !== 429) this.#accepted.push(now);
    trim(this.#accepted, now, WINDOW_MS);
    trim(this.#started, now, PACE_WINDOW_MS);
    if (status === 429 || now < this.#holdUntil) return;
    if (now - this.#lastIncrease < 1000) return;
    this.#lastIncrease = now;
    // Only a pace that binds may grow: otherwise the reader or the window limits, not us.
    if (this.#started.length < 0.9 * this.#rate) return;
    if (this.#rate === Infinity) return;
    this.#rate = this.#slowStart ? this.#rate * 2 : this.#rate < this.#lastLimit
      ? Math.min(this.#lastLimit, this.#rate + Math.max(0.5, (this.#lastLimit - this.#rate) / 2))
      : this.#rate + Math.max(0.1, this.#rate * 0.005);
  }

  onThrottled(retryAfterMs?: number): void {
    const now = Date.now();
    this.#throttles++;
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    if (now < this.#holdUntil) return;
    this.#slowStart = false;
    trim(this.#accepted, now, WINDOW_MS);
    // The tenant's rate: accepted calls over the last 5 s, or over the last second when that is
    // higher (right after slow start, the 5 s still hold its slow beginning).
    const span = Math.max(1000, now - (this.#accepted[0] ?? now));
    const lastSecond = this.#accepted.filter((t) => t >= now - 1000).length;
    this.#lastLimit = Math.max(1, (this.#accepted.length * 1000) / span, lastSecond);
    this.#rate = Math.max(0.5, 0.9 * this.#lastLimit);
    this.#lastIncrease = now;
    // The calls in flight now were sent at the old pace: their 429s belong to this episode.
    this.#holdUntil = now + (retryAfterMs ?? 0) + 1000;
  }

  #waitMs(): number {
    if (this.#inFlight >= this.#max) return Infinity;
    const now = Date.now();
    const until = Math.max(this.#pausedUntil, this.#rate === Infinity ? 0 : this.#nextSlot);
    return Math.max(0, until - now);
  }

  #arm(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#wake();
    }, Math.max(1, Math.ceil(ms)));
  }

  #wake(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }
}

function trim(times: number[], now: number, windowMs: number): void {
  while (times.length && times[0]! < now - windowMs) times.shift();
}

/**
 * Makes `governor` (the pipeline's, already wired to the cidaas client's observer) delegate to a
 * prototype: its methods and getters are replaced on the instance. Call before the first acquire.
 */
export function standIn(governor: DispatchGovernor, prototype: GovernorPrototype): void {
  const target = governor as unknown as Record<string, unknown>;
  for (const m of ['acquire', 'release', 'wakeAll', 'onResponse', 'onThrottled'] as const) {
    const fn = prototype[m] as (...args: unknown[]) => unknown;
    target[m] = (...args: unknown[]) => fn.apply(prototype, args);
  }
  for (const g of ['inFlight', 'rate', 'throttles'] as const) {
    Object.defineProperty(governor, g, { get: () => prototype[g], configurable: true });
  }
}
