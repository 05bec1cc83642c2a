/**
 * How fast the dispatcher may call cidaas. A real tenant's rate limit and its latency, not our
 * decoding, set the pace; the governor finds the limit and runs just under it.
 *
 * AIMD on the call rate: unpaced (only `maxConcurrency` batches in flight) until cidaas first
 * answers 429; then paced at a fraction of the rate measured when the 429 came, growing a little
 * every second without one (additive increase) and cut again on the next (multiplicative
 * decrease). A Retry-After pauses every new batch until it has passed.
 */
export interface DispatchGovernorOptions {
  /** Batches in flight at most (`cidaas.concurrency`). */
  readonly maxConcurrency: number;
  /** On a 429, the new rate as a fraction of the measured one (default 0.85). */
  readonly decrease?: number;
  /** Calls/s added per second without a 429, as a fraction of the current rate (default 0.02, at least 0.2 calls/s). */
  readonly increase?: number;
  readonly now?: () => number;
}

const WINDOW_MS = 3000;

export class DispatchGovernor {
  readonly #o: Required<Omit<DispatchGovernorOptions, 'now'>>;
  readonly #now: () => number;
  #inFlight = 0;
  /** Calls per second allowed; Infinity until the first 429. */
  #rate = Infinity;
  #pausedUntil = 0;
  #nextSlot = 0;
  #lastIncrease = 0;
  #calls: number[] = [];
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #throttles = 0;

  constructor(options: DispatchGovernorOptions) {
    this.#o = { decrease: 0.85, increase: 0.02, ...options };
    this.#now = options.now ?? Date.now;
  }

  /** Batches in flight now. */
  get inFlight(): number { return this.#inFlight; }
  /** The paced call rate (calls/s), or Infinity while unpaced. */
  get rate(): number { return this.#rate; }
  /** 429 answers seen. */
  get throttles(): number { return this.#throttles; }

  /** Waits for a slot: fewer than `maxConcurrency` in flight, no Retry-After pause, and the pace allows a call. */
  async acquire(signal?: { readonly aborted: boolean }): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const wait = this.#waitMs();
      if (wait === 0) {
        this.#inFlight++;
        if (this.#rate !== Infinity) this.#nextSlot = Math.max(this.#nextSlot, this.#now()) + 1000 / this.#rate;
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

  /** cidaas answered a call (any status): feeds the rate measurement and the additive increase. */
  onResponse(status: number): void {
    const now = this.#now();
    this.#calls.push(now);
    while (this.#calls.length && this.#calls[0]! < now - WINDOW_MS) this.#calls.shift();
    if (status === 429 || this.#rate === Infinity) return;
    const seconds = (now - this.#lastIncrease) / 1000;
    if (seconds >= 1) {
      this.#rate += Math.max(0.2, this.#rate * this.#o.increase) * Math.min(seconds, 5);
      this.#lastIncrease = now;
    }
  }

  /** cidaas answered 429: slow down, and pause for Retry-After when it says one. */
  onThrottled(retryAfterMs?: number): void {
    const now = this.#now();
    this.#throttles++;
    const measured = this.#measuredRate(now);
    const base = this.#rate === Infinity ? measured : Math.min(this.#rate, measured || this.#rate);
    this.#rate = Math.max(0.5, base * this.#o.decrease);
    this.#lastIncrease = now;
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
  }

  #measuredRate(now: number): number {
    const recent = this.#calls.filter((t) => t >= now - WINDOW_MS);
    if (recent.length < 2) return recent.length;
    const span = Math.max(250, now - recent[0]!);
    return (recent.length * 1000) / span;
  }

  #waitMs(): number {
    if (this.#inFlight >= this.#o.maxConcurrency) return Infinity;
    const now = this.#now();
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
