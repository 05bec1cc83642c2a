/**
 * A token bucket: `ratePerSecond` requests a second on average, bursts up to one
 * second's worth. What `--rate-limit` puts in front of the API, as a tenant's limit would.
 */
export class RateLimiter {
  #tokens: number;
  #last: number;

  /** `clock`: milliseconds, monotonic (a test may hold it still, so that a burst's timing is exact). */
  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.#tokens = this.#capacity;
    this.#last = clock();
  }

  get #capacity(): number {
    return Math.max(1, this.ratePerSecond);
  }

  /** Takes one request's token: 0 when admitted, else the seconds to wait (>= 1, for Retry-After). */
  take(now: number = this.clock()): number {
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.ratePerSecond));
  }

  /** Full bucket again (reset). */
  refill(now: number = this.clock()): void {
    this.#tokens = this.#capacity;
    this.#last = now;
  }
}
