/** How long and how often {@link pollUntil} polls, and what it says when time runs out. */
export interface PollOptions {
  /** Give up after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Pause between two checks, in milliseconds. Default 25. */
  intervalMs?: number;
  /** What was awaited, for the timeout error; a function is called only on timeout. */
  message?: string | (() => string);
}

/**
 * Polls `condition` until it returns true, for things that have no event to await (a
 * server still starting). A condition that throws ends the wait with that error.
 * Rejects when `timeoutMs` passes without the condition holding.
 */
export async function pollUntil(condition: () => Promise<boolean> | boolean, options: PollOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) {
      const what = typeof options.message === 'function' ? options.message() : (options.message ?? 'condition');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
