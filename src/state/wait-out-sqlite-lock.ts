/**
 * How long one SQLite statement waits for another process's lock inside the driver. better-sqlite3
 * waits synchronously: the whole event loop (pushes, /healthz, /metrics) stands still for it. So
 * the driver waits only this long, and {@link waitOutSqliteLock} does the rest of the waiting
 * between attempts, with the event loop free.
 */
export const SQLITE_BUSY_SLICE_MS = 20;

const FIRST_PAUSE_MS = 10;
const MAX_PAUSE_MS = 200;

/** Whether `err` (or an error it wraps, as `cause` or typeorm's `driverError`) is SQLite's SQLITE_BUSY or SQLITE_LOCKED. */
export function isSqliteBusy(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) return true;
    const o = e as { driverError?: unknown; cause?: unknown };
    e = o.driverError ?? o.cause;
  }
  return false;
}

/**
 * Runs `attempt` (a whole statement or transaction, safe to run again after it failed) until it
 * does not fail with SQLITE_BUSY, pausing asynchronously between attempts, for up to `budgetMs`
 * in all; then the last failure is thrown (a transient STATE_STORE error that the callers' own
 * retries handle). Any other failure is thrown at once.
 */
export async function waitOutSqliteLock<T>(attempt: () => Promise<T>, budgetMs: number): Promise<T> {
  const started = Date.now();
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!isSqliteBusy(err) || Date.now() - started + pause > budgetMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }
}
