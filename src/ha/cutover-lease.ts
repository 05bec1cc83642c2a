import type { Config } from '../../config/config-schema.js';
import type { OpenPipelineOptions } from '../app/open-pipeline.js';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Source } from '../source.js';
import { FencedSource } from './fenced-source.js';
import { FENCE_HEADER, REPLICA_HEADER } from './ha-runner.js';
import { openLeaseKeeper } from './open-lease-keeper.js';
import { waitForSlot } from './wait-for-slot.js';

/** Ten years: after go-live the lease stays with cutover, so no standby resumes the sync. */
const FOREVER_MS = 10 * 365 * 24 * 3600 * 1000;

/** The lease as `cutover` holds it while replicas keep running. */
export interface CutoverLease {
  /** What openPipeline needs so that every write and call is fenced. */
  readonly pipelineOptions: Pick<OpenPipelineOptions, 'fence' | 'requestHeaders'>;
  /** The source, acknowledging only under the lease. */
  wrap(source: Source): Source;
  /**
   * `keep`: the cutover completed: the lease stays with cutover for good and the replicas stay
   * standby until stopped. Otherwise it is released and a replica resumes the sync.
   */
  finish(keep: boolean): Promise<void>;
}

/**
 * `cutover` with `ha.enabled`: takes the lease whoever holds it (a new fencing token, so the active
 * replica can write nothing more and steps down at its next renewal), waits for its replication
 * slot to be free, and holds the lease while it drains and verifies.
 */
export async function takeLeaseForCutover(config: Config, logger: Logger, timeoutMs: number): Promise<CutoverLease> {
  const keeper = openLeaseKeeper(config, logger);
  let lost: SyncError | null = null;
  const deadline = Date.now() + timeoutMs;
  const giveUp = { get aborted() { return Date.now() > deadline; } };
  if (!(await keeper.acquire(giveUp, (err) => { lost = err; }, true))) {
    await keeper.close();
    throw new SyncError('SOURCE_UNAVAILABLE', `cutover could not take the lease within ${Math.round(timeoutMs / 1000)} s`, {
      hint: 'check that the state store is reachable (`cidaas-sync status`), then run cutover again', transient: true,
    });
  }
  logger.info('cutover holds the lease: the active replica steps down, every replica stays standby until cutover ends', { token: keeper.token });
  await waitForSlot(config, logger, () => keeper.held && Date.now() < deadline);
  keeper.assertHeld();
  return {
    pipelineOptions: {
      fence: keeper.fence,
      requestHeaders: () => {
        if (lost) throw lost;
        keeper.assertHeld();
        return { [REPLICA_HEADER]: keeper.me.holder, [FENCE_HEADER]: keeper.token ?? '' };
      },
    },
    wrap: (source) => new FencedSource(source, () => keeper.held),
    async finish(keep) {
      if (keep && keeper.held && keeper.token !== null) {
        const token = keeper.token;
        await keeper.stop();
        await keeper.extend(token, FOREVER_MS);
        logger.info('the lease stays with cutover: stop the replicas now (they stay standby until then)');
      } else await keeper.stepDown();
      await keeper.close();
    },
  };
}
