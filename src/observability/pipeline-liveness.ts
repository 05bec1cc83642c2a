import type { SyncMetrics } from './metrics.js';

/**
 * Tells a wedged pipeline from a quiet one, for /healthz: the pipeline is wedged when it has work
 * (pending users) and has made no progress (no push, no unchanged user, no backfill step, no
 * checkpoint advance, no source heartbeat moving the checkpoint) for `wedgedMs`. A quiet pipeline
 * with nothing pending is healthy however long it waits. It samples the metrics on each call.
 */
export class PipelineLiveness {
  #marker = '';
  #lastProgressAt: number;

  constructor(
    private readonly metrics: SyncMetrics,
    private readonly wedgedMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#lastProgressAt = now();
  }

  /** Null when healthy; otherwise why not, in a few words. */
  async wedgedReason(): Promise<string | null> {
    const sum = async (m: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> =>
      (await m.get()).values.reduce((a, v) => a + v.value, 0);
    const m = this.metrics;
    const marker = (await Promise.all([sum(m.pushes), sum(m.suppressed), sum(m.backfillDone), sum(m.checkpointTimestamp), sum(m.domainEvents)])).join(',');
    const now = this.now();
    if (marker !== this.#marker) {
      this.#marker = marker;
      this.#lastProgressAt = now;
      return null;
    }
    const pending = await sum(m.pendingUsers);
    if (pending === 0) {
      // Nothing to do is not a stall: the clock starts when work is waiting.
      this.#lastProgressAt = now;
      return null;
    }
    const idleMs = now - this.#lastProgressAt;
    if (idleMs > this.wedgedMs) {
      return `no progress for ${Math.round(idleMs / 1000)} s with ${pending} users pending (http.wedgedSeconds: ${Math.round(this.wedgedMs / 1000)})`;
    }
    return null;
  }
}
