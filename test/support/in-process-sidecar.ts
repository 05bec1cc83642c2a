import { loadConfig } from '../../config/load-config.js';
import type { Pipeline } from '../../src/app/open-pipeline.js';
import { openSidecar } from '../../src/app/open-sidecar.js';
import type { LegacyReader } from '../../src/legacy-reader.js';
import { MemoryLogger } from '../../src/observability/logger.js';
import { SyncMetrics } from '../../src/observability/metrics.js';
import type { SyncRunner } from '../../src/sync-runner.js';
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
  const { pipeline, runner } = await openSidecar(config, { logger, metrics, ...(opts.wrapReader ? { wrapReader: opts.wrapReader } : {}) });
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
