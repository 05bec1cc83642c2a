import { isTransient, SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** Options of {@link retryTransientWrite}. */
export interface RetryTransientWriteOptions {
  readonly log: Logger;
  /** What is being written, for the log: "the checkpoint", "the outcomes of 12 users". */
  readonly what: string;
  /** How long transient failures are retried before the last one is thrown; default 60 s. */
  readonly budgetMs?: number;
  /** Stops retrying (the error is thrown) once true, e.g. on shutdown or another failure. */
  readonly stopped?: () => boolean;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/**
 * Runs a state-store write, retrying while it fails transiently: the SQLite file is locked by
 * another process for longer than the busy timeout (an operator's `dlq retry`, a backup), a
 * PostgreSQL/MySQL state store restarts or fails over. Nothing is lost meanwhile: the source is
 * acknowledged only after the checkpoint is stored, and users whose outcome is not stored stay
 * in flight. A failure that is not transient, one that lasts longer than the budget, or one
 * after `stopped()` is thrown, and the caller stops the pipeline as before.
 */
export async function retryTransientWrite<T>(write: () => Promise<T>, o: RetryTransientWriteOptions): Promise<T> {
  const budgetMs = o.budgetMs ?? 60_000;
  const started = Date.now();
  let delay = FIRST_DELAY_MS;
  let failures = 0;
  for (;;) {
    try {
      const result = await write();
      if (failures > 0) o.log.info(`the state store takes writes again; ${o.what} is stored`, { failures, seconds: Math.round((Date.now() - started) / 1000) });
      return result;
    } catch (err) {
      if (!isTransient(err) || Date.now() - started + delay > budgetMs || o.stopped?.()) throw err;
      failures++;
      if (failures === 1) {
        o.log.warn(`storing ${o.what} failed; retrying for up to ${Math.round(budgetMs / 1000)} s before stopping`, {
          error: (err as Error).message, ...(err instanceof SyncError && err.hint ? { hint: err.hint } : {}),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
