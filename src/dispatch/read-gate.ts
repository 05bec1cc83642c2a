import type { LegacyRows } from '../legacy-reader.js';
import { unmetExpectations, type RowExpectation } from '../digest/row-expectation.js';
import type { RetrySchedule } from './retry-schedule.js';

/** What the read gate says about one user's read. */
export type ReadVerdict =
  /** The read may be pushed. `unmet`: what it still disagrees on after `readRetryMaxMs` (empty when it agrees). */
  | { readonly pass: true; readonly unmet: readonly string[] }
  /** The read may be older than the log: read it again after `delayMs`. */
  | { readonly pass: false; readonly delayMs: number };

/**
 * The read gate (docs/architecture.md "A read must not be older than the log"): a read is accepted
 * only where it shows what the newest logged image of each changed row says. A read that keeps
 * disagreeing for `readRetryMaxMs` can only be newer than the log and passes.
 */
export function readGate(read: LegacyRows, expectations: Iterable<RowExpectation>, attempts: number, schedule: RetrySchedule): ReadVerdict {
  const unmet = unmetExpectations(read, expectations);
  if (!unmet.length) return { pass: true, unmet };
  const delayMs = schedule.staleRead(attempts);
  return delayMs === null ? { pass: true, unmet } : { pass: false, delayMs };
}
