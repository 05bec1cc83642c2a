import { sweepDeleted, type BackfillOptions } from './backfill.js';
import type { Source } from './source.js';
import { META } from './state/meta-keys.js';
import type { BackfillProgress, StateStore } from './state/state-store.js';

/**
 * The backfill's start, sweep and hand-off (docs/architecture.md "Backfill and hand-off"), the
 * same for `run` (through the SyncRunner) and the `backfill` command: the log position is recorded
 * before the first page, the sweep of users deleted meanwhile runs after the last one, and the
 * stream starts from the recorded position.
 */
export class BackfillLifecycle {
  readonly #source: Source;
  readonly #store: StateStore;

  constructor(source: Source, store: StateStore) {
    this.#source = source;
    this.#store = store;
  }

  /**
   * The backfill to run: `stored` when there is one, else a new one recorded at the current log
   * position, with the sweep noted as pending when the state store already holds live users.
   */
  async begin(stored: BackfillProgress | null): Promise<BackfillProgress> {
    if (stored) return stored;
    // The position first (the slot exists since prepare), so nothing after it is recycled.
    const startPosition = await this.#source.currentPosition();
    const sweep = (await this.#store.countUsers()).live > 0;
    const backfill: BackfillProgress = { status: 'running', startPosition, lastKey: null, usersDone: 0, usersTotal: null, startedAt: new Date(), finishedAt: null };
    await this.#store.saveBackfill(backfill);
    if (sweep) await this.#store.setMeta(META.backfillSweep, 'pending');
    return backfill;
  }

  /**
   * Sweeps the users deleted meanwhile when a sweep is pending: resolves with how many were
   * deleted, or null when none was pending. An interrupted sweep (`o.signal`) stays pending.
   */
  async sweepIfPending(o: BackfillOptions): Promise<number | null> {
    if (await this.#store.getMeta(META.backfillSweep) !== 'pending') return null;
    const swept = await sweepDeleted(o);
    if (!o.signal.aborted) await this.#store.setMeta(META.backfillSweep, 'done');
    return swept;
  }

  /**
   * The position the stream starts from after `backfill`: the earlier of its start position and
   * the stored checkpoint (the start position is then stored as the checkpoint). Changes made
   * during the backfill are replayed from there; a checkpoint earlier still is never skipped.
   */
  async handOff(backfill: BackfillProgress, checkpoint: string | null): Promise<string> {
    if (checkpoint !== null && this.#source.comparePositions(backfill.startPosition, checkpoint) >= 0) return checkpoint;
    await this.#store.saveCheckpoint(backfill.startPosition);
    return backfill.startPosition;
  }
}
