/**
 * How fast the dispatcher may call cidaas. A real tenant's rate limit and its latency, not our
 * decoding, set the pace; the governor finds the limit and runs just under it.
 *
 * Calls are paced by their starts, never an unpaced burst: a token bucket with a slot of slack
 * (a few at a configured limit, at most 250 ms), so that calls started a little late (a late timer,
 * a stalled event loop) catch up instead of losing their slots, while idle time is not saved up
 * into a burst. At most `maxConcurrency` are in flight.
 * The first pace is the tenant's known limit (`cidaas.maxCallsPerSecond`), else the pace the last
 * run settled at (probed upwards as below), else a slow start: as many calls/s as batches may be
 * in flight (at least 4), growing by half that in the first second and by a quarter of the last
 * growth each second after, but by at least 8 % a second, until cidaas first answers 429.
 *
 * A 429 starts a congestion episode; the 429s of calls already in flight and of their retries
 * belong to it and do not cut again. The tenant's limit is estimated from the calls it accepted
 * between two episodes: a rate limiter lets its rate through between two moments it refused
 * (what a bucket had saved up was spent by the second). A first episode has only the last
 * second, which still holds such savings: the pace drops to 80 % of it and probes from there.
 * Otherwise it drops to 95 % of the estimate (by 10 % at least), climbs back to the estimate
 * quickly (half the gap a second) and above it probes by 1 % a second, doubling the step for
 * every 10 s without a 429 (up to 16 %): slowly, because a tenant's burst allowance hides the
 * limit for longer the faster the pace climbs, and every 429 found that way was in flight.
 * It only grows while the pace binds (the calls actually started at >= 90 % of it), so it never
 * drifts above what was tried while something else (the reader, the window) was the limit, and
 * never above a configured limit. A Retry-After pauses every new call until it has passed, and
 * each 429 keeps a slot of the pace after the pause for its retry (the client repeats it).
 */
export interface DispatchGovernorOptions {
  /** Batches in flight at most (`cidaas.concurrency`). */
  readonly maxConcurrency: number;
  /** The tenant's known limit (calls/s, `cidaas.maxCallsPerSecond`): the starting pace and a ceiling. */
  readonly maxCallsPerSecond?: number;
  /** A starting pace (calls/s) learned by an earlier run; ignored when `maxCallsPerSecond` is set. */
  readonly startCallsPerSecond?: number;
  /** The clock (ms); Date.now by default. */
  readonly now?: () => number;
}

/** The first pace of a slow start: this many calls/s per batch allowed in flight, at least 4. */
export function slowStartRate(maxConcurrency: number): number {
  return Math.max(4, maxConcurrency);
}

/** The pace changes at most this often (ms). */
const STEP_MS = 1000;
/** Accepted calls are remembered this long: the span between two episodes the estimate can use. */
const WINDOW_MS = 30_000;
/** The pace after a 429: this share of the estimated limit... */
const BELOW_LIMIT = 0.95;
/** ...or this share of the pace that met the 429, when that is lower. */
const CUT = 0.9;
/** The first probe above the estimate (share of the pace per second), and the largest it grows to. */
const PROBE_FIRST = 0.01;
const PROBE_MAX = 0.16;
/** The probe's step doubles after this long (ms) without a 429: a 1 s bucket hides a limit for longer the faster the pace climbs. */
const PROBE_DOUBLING_MS = 10_000;
/**
 * A slow start first grows by this share of its first pace in a second, then by a quarter of the
 * last growth each second: the faster it climbs past the limit while a tenant's burst allowance
 * hides it, the more calls are in flight when the first 429 comes.
 */
const SLOW_START_GROWTH = 0.5;
const SLOW_START_DECAY = 4;
/**
 * ...and never by less than this share of the pace a second until the first 429: 8 % doubles it in
 * 9 s, so a tenant far above the start is reached in seconds (at 1 %, a 20,000-user backfill on an
 * unlimited tenant took 50 s instead of 5 s, and reaching 100 calls/s took minutes), while a limit
 * is overshot by at most 8 % when the first 429 comes (simulated tenant: < 1 % 429s).
 */
const SLOW_START_PROBE = 0.08;
/**
 * At a first 429 the last second's accepted calls overstate the limit by what a bucket had saved
 * up: the pace is cut to this share of them, and probes up from there.
 */
const FIRST_CUT = 0.8;
/**
 * The token bucket's slack: calls started late (a late timer, a stalled event loop on a loaded
 * machine) may catch up this many slots of the pace, at most this long (ms); a longer gap restarts
 * the schedule. Several slots only at a configured limit: paced at or under it, the tenant's
 * allowance is unspent and the few calls a stall held back fit in it. Found by 429s, the pace
 * runs at the edge of the allowance, where a burst is what gets refused: one slot.
 */
const SLACK_SLOTS_KNOWN = 5;
const MAX_SLACK_MS = 250;
const MIN_RATE = 0.5;

type Phase = 'slow-start' | 'known' | 'settled';

export class DispatchGovernor {
  readonly #max: number;
  readonly #ceiling: number;
  readonly #now: () => number;
  #phase: Phase;
  #inFlight = 0;
  #rate: number;
  /** The tenant's limit as estimated at the last 429 (calls/s); Infinity before one. */
  #limit = Infinity;
  #learned: boolean;
  #growth: number;
  #episodeUntil = 0;
  #lastEpisode: number | null = null;
  #pausedUntil = 0;
  #nextSlot = -Infinity;
  #lastStep: number;
  #accepted: number[] = [];
  #started: number[] = [];
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #throttles = 0;
  #begun = false;

  constructor(options: DispatchGovernorOptions) {
    this.#max = options.maxConcurrency;
    this.#now = options.now ?? Date.now;
    this.#ceiling = options.maxCallsPerSecond ?? Infinity;
    const start = options.maxCallsPerSecond ?? options.startCallsPerSecond;
    // A remembered pace was settled under the limit by an earlier run: probe up from it, as after a 429.
    this.#phase = options.maxCallsPerSecond !== undefined ? 'known' : start !== undefined ? 'settled' : 'slow-start';
    this.#rate = Math.min(this.#ceiling, Math.max(MIN_RATE, start ?? slowStartRate(options.maxConcurrency)));
    this.#limit = this.#phase === 'settled' ? this.#rate : Infinity;
    this.#learned = this.#phase === 'settled';
    this.#growth = SLOW_START_GROWTH * this.#rate;
    this.#lastStep = this.#now();
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
      const wait = this.tryAcquire();
      if (wait === 0) return true;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        if (wait !== Infinity) this.#arm(wait);
      });
    }
  }

  /**
   * Takes a slot now when one is free (0), else says how long to wait for one (ms; Infinity
   * while `maxConcurrency` batches are in flight: a release ends that wait).
   */
  tryAcquire(): number {
    const now = this.#now();
    if (this.#inFlight >= this.#max) return Infinity;
    const wait = Math.max(0, Math.max(this.#pausedUntil, this.#nextSlot) - now);
    if (wait > 0) return wait;
    this.#inFlight++;
    // The pace's first second counts from the first call, not from the time before it (the first
    // read, the access token): else a slow start would not bind in its first second.
    if (!this.#begun) {
      this.#begun = true;
      this.#lastStep = now;
    }
    this.#started.push(now);
    const slot = 1000 / this.#rate;
    // A call a little late (a late timer, a stalled event loop) keeps the schedule, so the next ones
    // catch up; after a longer gap the schedule starts again from now, so that idle time is not
    // saved up into a burst.
    const slack = Math.min((this.#phase === 'known' ? SLACK_SLOTS_KNOWN : 1) * slot, MAX_SLACK_MS);
    this.#nextSlot = this.#nextSlot < now - slack ? now + slot : this.#nextSlot + slot;
    return 0;
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

  /** cidaas answered a call (any status): feeds the limit's estimate and the pace's growth. */
  onResponse(status: number): void {
    const now = this.#now();
    if (status !== 429) this.#accepted.push(now);
    trim(this.#accepted, now - WINDOW_MS);
    trim(this.#started, now - STEP_MS);
    if (status === 429 || now < this.#episodeUntil || now - this.#lastStep < STEP_MS) return;
    // Only a pace that binds may grow: otherwise the reader or the window limits, not us.
    // Counted over the last second, or two slots of the pace when longer (one call always looks like a burst).
    const window = Math.max(STEP_MS, 2000 / this.#rate);
    if (now - this.#lastStep < window) return;
    this.#lastStep = now;
    let recent = 0;
    for (const t of this.#started) if (t >= now - window) recent++;
    if (recent < (0.9 * this.#rate * window) / 1000) return;
    this.#rate = Math.min(this.#ceiling, this.#grown());
  }

  /** cidaas answered 429: slow down, and pause for Retry-After when it says one. */
  onThrottled(retryAfterMs?: number): void {
    const now = this.#now();
    this.#throttles++;
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    if (now >= this.#episodeUntil) this.#cut(now);
    // The call is repeated after the pause (the client's retry): keep it a slot of the pace.
    this.#nextSlot = Math.max(this.#nextSlot, this.#pausedUntil) + 1000 / this.#rate;
    // The calls in flight now were sent at the old pace, and the retries go after the pause: their 429s belong to this episode.
    this.#episodeUntil = Math.max(this.#episodeUntil, Math.max(now, this.#pausedUntil) + STEP_MS);
  }

  #grown(): number {
    const rate = this.#rate;
    if (this.#phase === 'slow-start') {
      this.#learned = true;
      const next = rate + Math.max(this.#growth, SLOW_START_PROBE * rate);
      this.#growth /= SLOW_START_DECAY;
      return next;
    }
    if (this.#phase === 'known') return rate;
    // Below the estimate: back quickly. Above it: probe, bolder for each second without a 429.
    if (rate < this.#limit) return Math.min(this.#limit, rate + Math.max(0.5, (this.#limit - rate) / 2));
    const calm = Math.floor((this.#now() - (this.#lastEpisode ?? 0)) / PROBE_DOUBLING_MS);
    return rate * (1 + Math.min(PROBE_MAX, PROBE_FIRST * 2 ** calm));
  }

  /** A new congestion episode: estimate the limit from what cidaas accepted, and pace under it. */
  #cut(now: number): void {
    trim(this.#accepted, now - WINDOW_MS);
    let lastSecond = 0;
    let sinceEpisode = 0;
    for (const t of this.#accepted) {
      if (t >= now - 1000) lastSecond++;
      if (this.#lastEpisode !== null && t >= this.#lastEpisode) sinceEpisode++;
    }
    // Between two episodes the limiter let through its rate; a first episode only has the last second,
    // which still holds what a bucket had saved up (the next episode corrects it).
    const span = this.#lastEpisode === null ? 0 : now - this.#lastEpisode;
    const between = span >= 2 * STEP_MS && span <= WINDOW_MS;
    // A pace that did not bind (fewer calls started than it allowed: light traffic) did not cause
    // the 429 (cidaas's limit is shared, or a fault): what was accepted says nothing of the limit,
    // so only the pace is cut, as at the edge, instead of dropping it to the traffic's rate.
    let started = 0;
    for (const t of this.#started) if (t >= now - STEP_MS) started++;
    const binding = started >= 0.9 * this.#rate * (STEP_MS / 1000);
    const estimate = !binding ? this.#rate : between ? (sinceEpisode * 1000) / span : lastSecond * FIRST_CUT;
    this.#limit = Math.max(MIN_RATE, estimate);
    this.#rate = Math.min(this.#ceiling, Math.max(MIN_RATE, Math.min(BELOW_LIMIT * this.#limit, CUT * this.#rate)));
    if (!between) this.#limit = this.#rate;
    this.#phase = 'settled';
    this.#learned = true;
    this.#lastEpisode = now;
    this.#lastStep = now;
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

/** Drops the times before `from` (they are in order). */
function trim(times: number[], from: number): void {
  let drop = 0;
  while (drop < times.length && times[drop]! < from) drop++;
  if (drop) times.splice(0, drop);
}
