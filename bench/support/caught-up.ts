import type { Pipeline } from '../../src/app/open-pipeline.js';
import { waitFor } from '../../test/support/wait-for.js';

/**
 * Resolves once the stored checkpoint has reached the end of the log as it is now: every change
 * committed before this call has been pushed, suppressed or dead-lettered.
 */
export async function caughtUp(pipeline: Pipeline, timeoutMs = 60_000): Promise<void> {
  const target = await pipeline.source.currentPosition();
  await waitFor(async () => {
    const cp = await pipeline.store.getCheckpoint();
    return cp !== null && pipeline.source.comparePositions(cp.position, target) >= 0;
  }, { timeoutMs, intervalMs: 20, message: `the checkpoint to reach ${target}` });
}
