import { Command } from 'commander';
import type { Pipeline } from '../../app/open-pipeline.js';
import { openSidecar, sidecarRunner } from '../../app/open-sidecar.js';
import { HaRunner } from '../../ha/ha-runner.js';
import { openLeaseKeeper } from '../../ha/open-lease-keeper.js';
import type { Source } from '../../source.js';
import { createLogger } from '../../observability/logger.js';
import { SyncMetrics } from '../../observability/metrics.js';
import { startHttpServer } from '../../observability/http-server.js';
import type { SyncRunner } from '../../sync-runner.js';
import { assertTenantPreconditions } from '../../preflight/tenant-preflight.js';
import { deadLetterKeys, retryDeadLetters } from '../../dlq/retry-dead-letters.js';
import { LiveStatusBoard } from '../../observability/live-status.js';
import { parseStateStoreUrl } from '../../state/state-store-url.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { ProgressBar } from '../output/progress-bar.js';
import type { BackfillTick } from '../../backfill.js';
import { PipelineLiveness } from '../../observability/pipeline-liveness.js';

/** `cidaas-sync run`: backfill if not done, then stream until SIGTERM. */
export function runCommand(): Command {
  const cmd = new Command('run')
    .description('backfill every user if not done yet, then stream changes to cidaas until stopped (SIGTERM drains and checkpoints)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText('after', '\nExamples:\n  cidaas-sync run --config /etc/cidaas-sync/config.yaml\n  CIDAAS_SYNC_CONFIG=./sync.yaml cidaas-sync run');
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; progress: boolean }) => {
    const config = await configFrom(opts);
    const logger = createLogger();
    // Signals are handled from the start: a stop while starting up still ends cleanly.
    let runner: SyncRunner | null = null;
    let stopActive: (() => void) | null = null;
    let stopRequested = false;
    let signals = 0;
    const onSignal = (sig: string): void => {
      signals++;
      if (signals > 1) {
        logger.warn('second signal: exiting without draining', { signal: sig });
        process.exit(1);
      }
      logger.info('stopping: finishing the batches in flight', { signal: sig });
      stopRequested = true;
      stopActive?.();
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
    // A mapped custom field missing in the tenant would be dropped silently by cidaas: stop before the first push.
    await assertTenantPreconditions(config, logger);
    const metrics = new SyncMetrics({ defaultMetrics: true });
    const bar = ProgressBar.open(opts.progress, { label: 'backfill', rate: true });
    const onBackfillProgress = (t: BackfillTick): void => bar?.update(t.done, t.total, t.usersPerSecond);
    const makeRunner = (pipeline: Pipeline, source: Source): SyncRunner => sidecarRunner(pipeline, { source, logger, metrics, onBackfillProgress });
    // High availability: the replica waits for the lease and opens the pipeline only while it holds it.
    const keeper = config.ha.enabled ? openLeaseKeeper(config, logger) : null;
    const ha = keeper ? new HaRunner({ config, logger, metrics, keeper, makeRunner }) : null;
    const sidecar = ha ? null : await openSidecar(config, { logger, metrics, onBackfillProgress });
    const pipeline = sidecar?.pipeline ?? null;
    if (sidecar) runner = sidecar.runner;
    stopActive = () => (ha ? ha.stop() : runner?.stop());
    const current = (): SyncRunner | null => (ha ? ha.runner : runner);
    // The status page reads the pipeline of this process. With ha.enabled the pipeline exists only
    // while this replica is active: the page reads the state store the replica keeps open, shows
    // its role, and has no actions (they would write outside a term).
    if (ha) await ha.prepare();
    const storeLocation = parseStateStoreUrl(config.state.url.reveal()).display;
    const live = pipeline && runner ? new LiveStatusBoard({
      store: pipeline.store, source: pipeline.source, storeLocation, metrics,
      phase: () => runner!.phase, commits: () => runner!.commitClock, actions: config.http.allowActions,
    }) : ha?.store ? new LiveStatusBoard({
      store: ha.store, source: { lag: () => ha.lag() }, storeLocation, metrics, role: () => ha.role,
      phase: () => ha.runner?.phase ?? 'standby', commits: () => ha.runner?.commitClock ?? null, actions: false,
    }) : undefined;
    live?.start();
    const http = await startHttpServer({
      port: config.http.port, host: config.http.host, metrics, ...(live ? { live } : {}),
      liveness: new PipelineLiveness(metrics, config.http.wedgedSeconds * 1000),
      ...(pipeline && config.http.allowActions && config.http.actionToken ? {
        actions: {
          token: config.http.actionToken,
          retry: async (sel) => retryDeadLetters(pipeline, sel.keys ?? await deadLetterKeys(pipeline.store, sel.reason), config.cidaas.batchSize),
        },
      } : {}),
      readiness: {
        notReadyReason: async () => {
          // A standby is ready: to take over. Its role says it does not stream.
          if (ha?.role === 'standby') return null;
          const r = current();
          if (!r || r.phase !== 'streaming') return `phase ${r?.phase ?? 'starting'}`;
          const lag = (r.engine?.oldestPendingAge() ?? 0) / 1000;
          return lag > config.http.readyLagSeconds ? `lag ${Math.round(lag)} s above ${config.http.readyLagSeconds} s` : null;
        },
        ...(ha ? { role: () => ha.role } : {}),
      },
    });
    logger.info('cidaas-sync running', {
      source: config.source.kind, slot: 'slot' in config.source ? config.source.slot : undefined, http: http.port, state: config.state.redactedUrl,
      ...(keeper ? { ha: { replica: keeper.me.holder, leaseSeconds: config.ha.leaseSeconds } } : {}),
    });
    if (stopRequested) stopActive();
    try {
      if (ha) await ha.run();
      else await runner!.run();
      logger.info('stopped cleanly');
    } finally {
      bar?.stop();
      live?.stop();
      await http.close();
      await pipeline?.close();
      await ha?.close();
      await keeper?.close();
    }
  });
  return cmd;
}
