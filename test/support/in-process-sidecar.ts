import { loadConfig } from '../../config/load-config.js';
import { openPipeline, type Pipeline } from '../../src/app/open-pipeline.js';
import type { LegacyReader } from '../../src/legacy-reader.js';
import { MemoryLogger } from '../../src/observability/logger.js';
import { SyncMetrics } from '../../src/observability/metrics.js';
import { SyncRunner } from '../../src/sync-runner.js';
import { waitFor } from './wait-for.js';

/** The sidecar running inside the test process: every part observable. */
export interface InProcessSidecar {
  readonly pipeline: Pipeline;
  readonly runner: SyncRunner;
  readonly metrics: SyncMetrics;
  readonly logger: MemoryLogger;
  /** Settles when run() ends; rejects with its failure. */
  readonly done: Promise<void>;
  /** Resolves once the backfill is done and the stream runs. */
  streaming(timeoutMs?: number): Promise<void>;
  /** Graceful stop (as SIGTERM), then closes everything. */
  stop(): Promise<void>;
}

export async function startInProcessSidecar(configPath: string, opts: { wrapReader?: (r: LegacyReader) => LegacyReader } = {}): Promise<InProcessSidecar> {
  const config = await loadConfig(configPath);
  const logger = new MemoryLogger();
  const metrics = new SyncMetrics();
  const pipeline = await openPipeline(config, { logger, metrics, ...(opts.wrapReader ? { wrapReader: opts.wrapReader } : {}) });
  const runner = new SyncRunner({
    source: pipeline.source, reader: pipeline.reader, translator: pipeline.translator, dispatcher: pipeline.dispatcher,
    governor: pipeline.governor, store: pipeline.store, logger, metrics, batchSize: config.cidaas.batchSize,
    maxDirtyUsers: config.engine.maxDirtyUsers, quietMs: config.engine.flushIntervalMs, maxDelayMs: config.engine.maxDelayMs,
  });
  let failure: unknown = null;
  const done = runner.run().catch((err: unknown) => { failure = err; throw err; });
  done.catch(() => undefined);
  return {
    pipeline, runner, metrics, logger, done,
    async streaming(timeoutMs = 120_000) {
      await waitFor(() => {
        if (failure) throw failure;
        return runner.phase === 'streaming';
      }, { timeoutMs, message: () => `sidecar not streaming (phase ${runner.phase}); log:\n${logger.text().slice(-2000)}` });
    },
    async stop() {
      runner.stop();
      await done.catch(() => undefined);
      await pipeline.close();
    },
  };
}
