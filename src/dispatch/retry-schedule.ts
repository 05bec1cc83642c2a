/**
 * When a user that could not be pushed now is tried again. One schedule for the whole pipeline:
 * the dispatcher puts the delay into each retry result, the sync engine holds the user back that
 * long (`SyncEngine.requeue`), and the backfill waits that long before it re-dispatches a page's
 * retries.
 */

/** Longest wait before a read that disagreed with the log is read again. */
const STALE_READ_CAP_MS = 5000;
/** Longest wait after a transient failure (the legacy database or cidaas failing). */
const TRANSIENT_CAP_MS = 30_000;
/** First wait after reading users from the legacy database failed. */
const READ_FAILED_BASE_MS = 250;
/** First wait after a cidaas call failed transiently. */
const PUSH_FAILED_BASE_MS = 1000;
/** The wait between rounds of the backfill's sweep of deleted users while some of them fail. */
export const SWEEP_RETRY_MS = 1000;

/** `base` doubled per earlier attempt, at most `cap`. */
export function backoff(base: number, attempts: number, cap: number): number {
  return Math.min(cap, base * 2 ** Math.min(attempts, 16));
}

/** The two settings of a read that disagrees with the log (`engine.readRetryMs`, `engine.readRetryMaxMs`). */
export interface RetryScheduleOptions {
  /** First delay before a read that disagreed with the log is retried; doubles per attempt. */
  readonly readRetryMs: number;
  /**
   * After this long of reads disagreeing with the log, the read is taken as newer than the log
   * (a later change on its way) and pushed. A commit becomes visible microseconds after it is
   * logged, so only a read newer than the log can keep disagreeing this long.
   */
  readonly readRetryMaxMs: number;
}

/** The delays of the three kinds of retry: a stale read, a failed read, a failed push. */
export class RetrySchedule {
  readonly #o: RetryScheduleOptions;

  constructor(options: RetryScheduleOptions) {
    this.#o = options;
  }

  /**
   * The delay before a read that disagreed with the log for the `attempts`-th time is tried again,
   * or null once the reads have disagreed for `readRetryMaxMs`: the read is then pushed as it is.
   */
  staleRead(attempts: number): number | null {
    let spent = 0;
    for (let i = 0; i < attempts; i++) spent += backoff(this.#o.readRetryMs, i, STALE_READ_CAP_MS);
    return spent < this.#o.readRetryMaxMs ? backoff(this.#o.readRetryMs, attempts, STALE_READ_CAP_MS) : null;
  }

  /** The delay after reading users from the legacy database failed. */
  readFailed(attempts: number): number {
    return backoff(READ_FAILED_BASE_MS, attempts, TRANSIENT_CAP_MS);
  }

  /** The delay after a cidaas call failed transiently (or answered FAILED without being permanent). */
  pushFailed(attempts: number): number {
    return backoff(PUSH_FAILED_BASE_MS, attempts, TRANSIENT_CAP_MS);
  }
}

/** Waits `ms` before a retry (the backfill, which has no dirty set to hold users back in). */
export function pauseForRetry(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
