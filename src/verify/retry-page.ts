import { isTransient, SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** How often and how patiently a page of verify is repeated after a transient failure. */
export interface PageRetryOptions {
  /** Attempts per page, the first included. */
  readonly attempts: number;
  /** Wait before the n-th repeat: `delayMs * n`. */
  readonly delayMs: number;
  readonly logger: Logger;
}

/**
 * Runs one page of verify, repeating it when it fails transiently (the cidaas client has
 * already spent its own retry budget by then: cidaas is down or throttling hard, the legacy
 * database or state store is briefly away). A page only reads, so repeating it is harmless.
 * When the attempts run out, throws a SyncError that names the page and keeps the cause's code.
 */
export async function retryPage<T>(what: string, run: () => Promise<T>, o: PageRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isTransient(err)) throw err;
      const e = err as SyncError;
      if (attempt >= o.attempts) {
        throw new SyncError(e.code, `verify stopped at ${what}: ${e.message} (the page was tried ${attempt} times)`, {
          transient: true,
          cause: err,
          hint: 'nothing was changed: verify only reads. Run it again when the failing service answers' +
            (e.code === 'CIDAAS_RATE_LIMITED' ? '; a lower verify concurrency keeps it under the tenant\'s rate limit' : ''),
        });
      }
      o.logger.warn('a verify page failed transiently; repeating it', { page: what, attempt, error: e.message });
      await new Promise((resolve) => setTimeout(resolve, o.delayMs * attempt));
    }
  }
}
