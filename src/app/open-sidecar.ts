import type { Config } from '../../config/config-schema.js';
import type { BackfillTick } from '../backfill.js';
import type { Logger } from '../observability/logger.js';
import type { SyncMetrics } from '../observability/metrics.js';
import type { Source } from '../source.js';
import { SyncRunner } from '../sync-runner.js';
import { openPipeline, type OpenPipelineOptions, type Pipeline } from './open-pipeline.js';

/** How the runner of a sidecar is built beyond its pipeline. */
export interface SidecarRunnerOptions {
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  /** The source the runner acknowledges through (a fenced or lease-wrapped one); the pipeline's own by default. */
  readonly source?: Source;
  readonly onBackfillProgress?: (tick: BackfillTick) => void;
  /**
   * Push every change as soon as it is seen, without the coalescing quiet time (`cutover`
   * drains to a position and has nothing to coalesce with).
   */
  readonly drain?: boolean;
}

/** The runner of `pipeline`, with the batch, engine and debounce settings of its configuration. */
export function sidecarRunner(pipeline: Pipeline, o: SidecarRunnerOptions): SyncRunner {
  const config = pipeline.config;
  return new SyncRunner({
    source: o.source ?? pipeline.source, reader: pipeline.reader, translator: pipeline.translator, dispatcher: pipeline.dispatcher,
    governor: pipeline.governor, store: pipeline.store, logger: o.logger, metrics: o.metrics, batchSize: config.cidaas.batchSize,
    maxDirtyUsers: config.engine.maxDirtyUsers,
    quietMs: o.drain ? 0 : config.engine.flushIntervalMs, maxDelayMs: o.drain ? 0 : config.engine.maxDelayMs,
    ...(o.onBackfillProgress ? { onBackfillProgress: o.onBackfillProgress } : {}),
  });
}

/** A pipeline and its runner: the sidecar, not yet running. */
export interface Sidecar {
  readonly pipeline: Pipeline;
  readonly runner: SyncRunner;
}

/** Options of {@link openSidecar}: the pipeline's and the runner's (the runner's source, if any, wraps the pipeline's). */
export interface OpenSidecarOptions extends OpenPipelineOptions, Omit<SidecarRunnerOptions, 'source'> {
  /** Wraps the pipeline's source for the runner (a lease that may be taken away, say). */
  readonly wrapSource?: (source: Source) => Source;
}

/**
 * Opens the sidecar for `config` as `run`, `cutover`, the demo and the tests run it: the pipeline
 * (state store, source, reader, cidaas client, dispatcher) and the SyncRunner on it. Closing the
 * pipeline releases everything; {@link SyncRunner.run} starts it.
 */
export async function openSidecar(config: Config, o: OpenSidecarOptions): Promise<Sidecar> {
  const pipeline = await openPipeline(config, o);
  const runner = sidecarRunner(pipeline, { ...o, ...(o.wrapSource ? { source: o.wrapSource(pipeline.source) } : {}) });
  return { pipeline, runner };
}
