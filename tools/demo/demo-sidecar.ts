import type { Config } from '../../config/config-schema.js';
import type { Pipeline } from '../../src/app/open-pipeline.js';
import { openSidecar } from '../../src/app/open-sidecar.js';
import type { BackfillTick } from '../../src/backfill.js';
import type { Logger } from '../../src/observability/logger.js';
import { SyncMetrics } from '../../src/observability/metrics.js';
import { startHttpServer } from '../../src/observability/http-server.js';
import type { SyncRunner } from '../../src/sync-runner.js';

/** The sidecar running inside the demo process, as `cidaas-sync run` would run it. */
export interface DemoSidecar {
  readonly pipeline: Pipeline;
  readonly runner: SyncRunner;
  /** Where /metrics, /healthz and /readyz answer. */
  readonly httpUrl: string;
  /** The failure that ended the run, once there is one. */
  readonly failure: unknown;
  /** Graceful stop (as on SIGTERM): drains, checkpoints, then closes everything. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startDemoSidecar}. */
export interface DemoSidecarOptions {
  readonly logger: Logger;
  readonly onBackfillProgress: (tick: BackfillTick) => void;
}

/** Opens the pipeline for `config` and starts the runner (backfill, then stream) and the HTTP endpoints. */
export async function startDemoSidecar(config: Config, o: DemoSidecarOptions): Promise<DemoSidecar> {
  const metrics = new SyncMetrics();
  const { pipeline, runner } = await openSidecar(config, { logger: o.logger, metrics, onBackfillProgress: o.onBackfillProgress });
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    http = await startHttpServer({
      port: config.http.port, host: config.http.host, metrics,
      readiness: {
        notReadyReason: async () => {
          if (runner.phase !== 'streaming') return `phase ${runner.phase}`;
          const lag = (runner.engine?.oldestPendingAge() ?? 0) / 1000;
          return lag > config.http.readyLagSeconds ? `lag ${Math.round(lag)} s` : null;
        },
      },
    });
  } catch (err) {
    await pipeline.close();
    throw err;
  }
  let failure: unknown = null;
  const done = runner.run().catch((err: unknown) => {
    failure = err;
  });
  let stopping: Promise<void> | undefined;
  return {
    pipeline,
    runner,
    httpUrl: `http://${config.http.host}:${http.port}`,
    get failure() {
      return failure;
    },
    stop: () =>
      (stopping ??= (async () => {
        runner.stop();
        await done;
        await http.close();
        await pipeline.close();
      })()),
  };
}
