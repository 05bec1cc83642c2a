import type { Config } from '../../config/config-schema.js';
import { openPipeline, type Pipeline } from '../app/open-pipeline.js';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { SyncMetrics } from '../observability/metrics.js';
import type { Source, SourceLag } from '../source.js';
import type { SourceAdapter } from '../source-adapter.js';
import { sourceAdapterFor } from '../source-adapter-for.js';
import { openStateStore } from '../state/open-state-store.js';
import type { StateStore } from '../state/state-store.js';
import type { SyncRunner } from '../sync-runner.js';
import { FencedSource } from './fenced-source.js';
import { HaMetrics, type ReplicaRole } from './ha-metrics.js';
import { SERVER_ID_META } from './ha-preflight.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { waitForSlot } from './wait-for-slot.js';

/** The request headers that name the replica and its fencing token on every cidaas call. */
export const REPLICA_HEADER = 'x-cidaas-sync-replica';
export const FENCE_HEADER = 'x-cidaas-sync-fence';

/** Options of {@link HaRunner}. */
export interface HaRunnerOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  readonly keeper: LeaseKeeper;
  /** Builds the runner of one term from its pipeline (whose source acknowledges only under the lease). */
  readonly makeRunner: (pipeline: Pipeline, source: Source) => SyncRunner;
}

/**
 * One replica of a high-availability pair: standby until it holds the lease (it opens nothing on
 * the source meanwhile), then active for one term: the pipeline opened with every state store
 * write fenced and every cidaas call refused without the lease, the runner resuming from the stored
 * checkpoint. A lost lease stops the term at once and the replica is standby again; a stop
 * (SIGTERM) drains, checkpoints and releases the lease so a standby takes over without waiting.
 */
export class HaRunner {
  readonly #o: HaRunnerOptions;
  readonly #log: Logger;
  readonly #haMetrics: HaMetrics;
  readonly #stop = { aborted: false };
  #role: ReplicaRole = 'standby';
  #runner: SyncRunner | null = null;
  #source: Source | null = null;
  #store: StateStore | null = null;
  #prepared: Promise<void> | null = null;
  /** The source adapter, loaded by {@link prepare}. */
  #adapter: SourceAdapter | null = null;

  constructor(options: HaRunnerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'ha' });
    this.#haMetrics = new HaMetrics(options.metrics);
  }

  get role(): ReplicaRole { return this.#role; }
  /** The runner of the current term, or null as standby. */
  get runner(): SyncRunner | null { return this.#runner; }
  /**
   * The state store this replica keeps open across its terms (for the status page), or null when
   * it could not be opened yet. Every write through it is fenced: refused unless this replica holds the lease.
   */
  get store(): StateStore | null { return this.#store; }

  /** The source's lag while active; a standby reads no log and says so. */
  lag(): Promise<SourceLag> {
    return this.#source ? this.#source.lag() : Promise.reject(new Error('this replica is standby: it does not read the log'));
  }

  /**
   * Does as a standby what would otherwise cost the next holder's failover time: loads the source
   * adapter and opens the state store (the lease lives in its database anyway). Opens nothing on the
   * source. A store that cannot be opened now is opened again when the lease is taken.
   */
  prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      const { config, keeper } = this.#o;
      this.#adapter = await sourceAdapterFor(config.source);
      try {
        const store = await openStateStore(config.state.url, { logger: this.#o.logger });
        store.setFence?.(keeper.fence);
        this.#store = store;
      } catch (err) {
        this.#log.warn('standby: the state store cannot be opened now; it is opened when this replica takes the lease', { error: (err as Error).message });
      }
    })();
    return this.#prepared;
  }

  /** Runs terms until {@link stop}; rejects with a failure that is not a lost lease. */
  async run(): Promise<void> {
    const { keeper, config } = this.#o;
    await this.prepare();
    const adapter = this.#adapter ?? await sourceAdapterFor(config.source);
    try {
      while (!this.#stop.aborted) {
        this.#setRole('standby');
        const term: { lost: SyncError | null; pipeline: Pipeline | null } = { lost: null, pipeline: null };
        const onLost = (err: SyncError): void => {
          term.lost = err;
          // The log reader stops first, before the runner winds down its batches: a reconnect after
          // the lease is gone (a paused holder resuming to a connection the server cut) would, on
          // MySQL/MariaDB with the shared server id, cut off the new holder's binlog connection.
          // (Every reconnect also asks the keeper first: `beforeConnect`.)
          void term.pipeline?.source.stop().catch((e: unknown) => this.#log.warn('stopping the source failed', { error: (e as Error).message }));
          this.#runner?.abort(err);
        };
        if (!(await keeper.acquire(this.#stop, onLost))) break;
        this.#setRole('active');
        let pipeline: Pipeline | null = null;
        try {
          await waitForSlot(config, this.#log, () => keeper.held && !this.#stop.aborted);
          keeper.assertHeld();
          if (!this.#store) {
            const store = await openStateStore(config.state.url, { logger: this.#o.logger });
            store.setFence?.(keeper.fence);
            this.#store = store;
          }
          pipeline = await openPipeline(config, {
            logger: this.#o.logger, metrics: this.#o.metrics, fence: keeper.fence, store: this.#store,
            requestHeaders: () => {
              keeper.assertHeld();
              return { [REPLICA_HEADER]: keeper.me.holder, [FENCE_HEADER]: keeper.token ?? '' };
            },
            // Checked again as each request is written: one prepared before a pause is not sent after it.
            beforeSend: () => keeper.assertHeld(),
            // A replica without the lease never opens the log again.
            beforeConnect: () => keeper.assertHeld(),
          });
          term.pipeline = pipeline;
          // Lost while the pipeline opened: onLost found nothing to stop.
          keeper.assertHeld();
          // For `check`: the server id every replica must share (MySQL).
          if (adapter.replicaServerId !== null) await pipeline.store.setMeta(SERVER_ID_META, adapter.replicaServerId);
          const runner = this.#o.makeRunner(pipeline, new FencedSource(pipeline.source, () => keeper.held));
          this.#runner = runner;
          this.#source = pipeline.source;
          if (this.#stop.aborted) runner.stop();
          await runner.run();
        } catch (err) {
          // A write that failed because the lease ran out meanwhile (its session ended, say) is a lost lease too.
          if (term.lost === null && keeper.held && !(err instanceof SyncError && err.code === 'LEASE_LOST')) throw err;
          this.#log.warn('stepped down: standby again', { why: (term.lost ?? (err as Error)).message });
        } finally {
          this.#runner = null;
          this.#source = null;
          await pipeline?.close();
          await keeper.stepDown();
        }
      }
    } finally {
      this.#setRole('standby');
    }
  }

  /** Closes the state store kept across terms (after {@link run} ended). */
  async close(): Promise<void> {
    const store = this.#store;
    this.#store = null;
    await store?.close();
  }

  /** SIGTERM: a standby stops waiting; the active drains, checkpoints, releases the lease and ends. */
  stop(): void {
    this.#stop.aborted = true;
    this.#runner?.stop();
  }

  #setRole(role: ReplicaRole): void {
    this.#role = role;
    this.#haMetrics.set(role, role === 'active' ? this.#o.keeper.token : null);
    if (role === 'active') this.#haMetrics.terms.inc();
  }
}
