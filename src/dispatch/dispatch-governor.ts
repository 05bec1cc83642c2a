/**
 * How fast the dispatcher may call cidaas. A real tenant's rate limit and its latency, not our
 * decoding, set the pace; the governor finds the limit and runs just under it.
 *
 * Paced from the first call, never an unpaced burst: at the tenant's known limit
 * (`cidaas.maxCallsPerSecond`), else at the rate the last run settled at, else from a slow start
 * (as many calls/s as batches may be in flight, doubling every 250 ms in which the pace binds, until
 * cidaas first answers 429). On a 429 the pace drops to 90 % of the rate cidaas *accepted* just before it,
 * once per congestion episode (the 429s of calls already in flight do not cut again). Below that
 * rate it recovers fast (half the gap each second); at or above it, it probes slowly (0.5 %/s).
 * From a remembered pace it climbs 10 %/s until the first 429.
 * It only grows while the pace binds (the calls actually ran at >= 90 % of it), so it never
 * drifts above what was tried while something else (the reader, the window) was the limit. It
 * never exceeds a configured limit. A Retry-After pauses every new batch until it has passed.
 */
export interface DispatchGovernorOptions {
  /** Batches in flight at most (`cidaas.concurrency`). */
  readonly maxConcurrency: number;
  /** The tenant's known limit (calls/s, `cidaas.maxCallsPerSecond`): the starting pace and a ceiling. */
  readonly maxCallsPerSecond?: number;
  /** A starting pace (calls/s) learned by an earlier run; ignored when `maxCallsPerSecond` is set. */
  readonly startCallsPerSecond?: number;
  readonly now?: () => number;
}

/** The first pace of a slow start: this many calls/s per batch allowed in flight, at least 4. */
export function slowStartRate(maxConcurrency: number): number {
  return Math.max(4, maxConcurrency);
}
/** A slow start doubles the pace this often (ms) while it binds; after it, the pace changes at most once a second. */
const SLOW_START_STEP_MS = 250;
/** Accepted calls are counted over this long: long enough to span a Retry-After pause and the bucket refill it causes. */
const WINDOW_MS = 5000;
/** Calls started are counted over the last second, to see whether the pace binds. */
const PACE_WINDOW_MS = 1000;
const MIN_RATE = 0.5;

export class DispatchGovernor {
  readonly #max: number;
  readonly #ceiling: number;
  readonly #now: () => number;
  #inFlight = 0;
  #rate: number;
  #slowStart: boolean;
  /** The accepted-call rate when the last 429 came: where fast recovery aims. */
  #lastLimit = Infinity;
  #learned = false;
  #holdUntil = 0;
  #pausedUntil = 0;
  #nextSlot = 0;
  #lastIncrease: number;
  #accepted: number[] = [];
  #started: number[] = [];
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #throttles = 0;

  constructor(options: DispatchGovernorOptions) {
    this.#max = options.maxConcurrency;
    this.#now = options.now ?? Date.now;
    this.#ceiling = options.maxCallsPerSecond ?? Infinity;
    const start = options.maxCallsPerSecond ?? options.startCallsPerSecond;
    this.#slowStart = start === undefined;
    this.#rate = Math.min(this.#ceiling, Math.max(MIN_RATE, start ?? slowStartRate(options.maxConcurrency)));
    this.#learned = options.maxCallsPerSecond === undefined && options.startCallsPerSecond !== undefined;
    this.#lastIncrease = this.#now();
  }

  /** Batches in flight at most (`cidaas.concurrency`). */
  get maxConcurrency(): number { return this.#max; }
  /** Batches in flight now. */
  get inFlight(): number { return this.#inFlight; }
  /** The paced call rate (calls/s). */
  get rate(): number { return this.#rate; }
  /** 429 answers seen. */
  get throttles(): number { return this.#throttles; }
  /**
   * The pace worth starting the next run from: the current one once a 429 has shown where the
   * limit is, a slow start has grown or a remembered pace was kept; else null (nothing learned).
   */
  get settledRate(): number | null { return this.#learned ? this.#rate : null; }

  /** Waits for a slot: fewer than `maxConcurrency` in flight, no Retry-After pause, and the pace allows a call. */
  async acquire(signal?: { readonly aborted: boolean }): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const wait = this.#waitMs();
      if (wait === 0) {
        const now = this.#now();
        this.#inFlight++;
        this.#started.push(now);
        this.#nextSlot = Math.max(this.#nextSlot, now) + 1000 / this.#rate;
        return true;
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        if (wait !== Infinity) this.#arm(wait);
      });
    }
  }

  /** A batch finished (whatever its outcome). */
  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#wake();
  }

  /** Wakes every waiter (for shutdown). */
  wakeAll(): void {
    this.#wake();
  }

  /** cidaas answered a call (any status): feeds the rate measurement and the increase. */
  onResponse(status: number): void {
    const now = this.#now();
    if (status !== 429) this.#accepted.push(now);
    trim(this.#accepted, now, WINDOW_MS);
    trim(this.#started, now, PACE_WINDOW_MS);
    const step = this.#slowStart ? SLOW_START_STEP_MS : 1000;
    if (status === 429 || now < this.#holdUntil || now - this.#lastIncrease < step) return;
    this.#lastIncrease = now;
    // Only a pace that binds may grow: otherwise the reader or the window limits, not us.
    // Counted over the step, or two slots of the pace when longer (one call always looks like a burst).
    const window = Math.min(PACE_WINDOW_MS, Math.max(step, 2000 / this.#rate));
    let recent = 0;
    for (const t of this.#started) if (t >= now - window) recent++;
    if (recent < (0.9 * this.#rate * window) / 1000) return;
    let next: number;
    // A slow start that bound is worth remembering: the next run starts at its pace.
    if (this.#slowStart) { next = this.#rate * 2; this.#learned = true; }
    else if (this.#rate < this.#lastLimit && this.#lastLimit !== Infinity) next = Math.min(this.#lastLimit, this.#rate + Math.max(0.5, (this.#lastLimit - this.#rate) / 2));
    // Above the last limit it probes slowly; with none seen this run (a remembered start, which may
    // be far below today's limit) it climbs 10 %/s until the first 429.
    else next = this.#rate + Math.max(0.1, this.#rate * (this.#lastLimit === Infinity ? 0.1 : 0.005));
    this.#rate = Math.min(this.#ceiling, next);
  }

  /** cidaas answered 429: slow down, and pause for Retry-After when it says one. */
  onThrottled(retryAfterMs?: number): void {
    const now = this.#now();
    this.#throttles++;
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    if (now < this.#holdUntil) return;
    this.#slowStart = false;
    this.#learned = true;
    trim(this.#accepted, now, WINDOW_MS);
    // The tenant's rate: accepted calls over the last 5 s, or over the last second when that is
    // higher (right after a slow start, the 5 s still hold its slow beginning).
    const span = Math.max(1000, now - (this.#accepted[0] ?? now));
    let lastSecond = 0;
    for (const t of this.#accepted) if (t >= now - 1000) lastSecond++;
    this.#lastLimit = Math.max(1, (this.#accepted.length * 1000) / span, lastSecond);
    this.#rate = Math.min(this.#ceiling, Math.max(MIN_RATE, 0.9 * this.#lastLimit));
    this.#lastIncrease = now;
    // The calls in flight now were sent at the old pace: their 429s belong to this episode.
    this.#holdUntil = now + (retryAfterMs ?? 0) + 1000;
  }

  #waitMs(): number {
    if (this.#inFlight >= this.#max) return Infinity;
    return Math.max(0, Math.max(this.#pausedUntil, this.#nextSlot) - this.#now());
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
  let drop = 0;
  while (drop < times.length && times[drop]! < now - windowMs) drop++;
  if (drop) times.splice(0, drop);
}
