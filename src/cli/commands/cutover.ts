import { Command, Option } from 'commander';
import { openSidecar } from '../../app/open-sidecar.js';
import { ExitCode, SyncError } from '../../errors.js';
import { takeLeaseForCutover } from '../../ha/cutover-lease.js';
import { SyncMetrics } from '../../observability/metrics.js';
import type { Source } from '../../source.js';
import { sourceAdapterFor } from '../../source-adapter-for.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { defaultReportPath, runVerify } from '../run-verify.js';
import { positiveInt } from './verify.js';

/**
 * `cidaas-sync cutover`: go-live. Streams until the log position taken at the start is stored and
 * nothing is pending, stops the stream (checkpointed and acknowledged), runs verify, writes the
 * report, and with --drop-slot removes the PostgreSQL slot — only when verify passed, unless --force.
 */
export function cutoverCommand(): Command {
  const cmd = new Command('cutover')
    .description('drain the stream to lag 0, verify, write the report and stop; --drop-slot removes the replication slot')
    .option('--timeout <seconds>', 'give up draining after this long', (v) => positiveInt('--timeout', v), 600)
    .option('--drop-slot', 'remove the PostgreSQL replication slot when verify passes (MySQL: print the final binlog position)')
    .option('--force', 'drop the slot even when verify found differences')
    .option('--report <file>', 'where to write the JSON report (default: cidaas-sync-cutover-<time>.json)')
    .option('--concurrency <n>', 'cidaas calls in flight during verify', (v) => positiveInt('--concurrency', v), 16)
    .addOption(new Option('--read <mode>', 'read cidaas by search, bulkread or GET per user (default: cidaas.compat.search)').choices(['search', 'bulkread', 'get']))
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText('after', '\nExamples:\n  cidaas-sync cutover --config sync.yaml\n  cidaas-sync cutover --config sync.yaml --drop-slot --report /var/lib/cidaas-sync/cutover.json\n\nStop `cidaas-sync run` first (SIGTERM): cutover drains the stream itself. With ha.enabled the\nreplicas may keep running: cutover takes the lease from them. Put the legacy applications\nin maintenance mode before, so that no change arrives after the position cutover drains to.');
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; timeout: number; dropSlot?: boolean; force?: boolean; report?: string; concurrency: number; read?: 'search' | 'bulkread' | 'get'; progress: boolean }) => {
    const config = await configFrom(opts);
    const logger = commandLogger('info');
    const reportPath = opts.report ?? defaultReportPath('cutover');
    const adapter = await sourceAdapterFor(config.source);
    // With replicas running (ha.enabled), cutover takes the lease from them instead of asking for a stop.
    const lease = config.ha.enabled ? await takeLeaseForCutover(config, logger, opts.timeout * 1000) : null;
    let complete = false;
    if (!lease) await adapter.assertLogFree();
    const metrics = new SyncMetrics();
    const { pipeline, runner } = await openSidecar(config, {
      logger, metrics, drain: true, ...lease?.pipelineOptions, ...(lease ? { wrapSource: (s: Source) => lease.wrap(s) } : {}),
    }).catch(async (err: unknown) => {
      await lease?.finish(false);
      throw err;
    });
    try {
      const backfill = await pipeline.store.getBackfill();
      if (backfill?.status !== 'done') {
        throw new SyncError('USAGE', 'the backfill is not finished, so cidaas does not hold every user yet', {
          hint: 'run `cidaas-sync run` until it streams (`cidaas-sync status` shows the backfill), then cutover', exitCode: ExitCode.config,
        });
      }
      let failure: unknown = null;
      const running = runner.run().catch((err: unknown) => { failure = err; });
      const deadline = Date.now() + opts.timeout * 1000;
      while (runner.phase !== 'streaming' && failure === null && Date.now() < deadline) await sleep(100);
      if (failure) throw failure;
      const target = await pipeline.source.currentPosition();
      logger.info('draining to the end of the log', { position: target });
      for (;;) {
        if (failure) throw failure;
        const cp = await pipeline.store.getCheckpoint();
        const pending = runner.engine?.pendingCount ?? 0;
        if (cp && pipeline.source.comparePositions(cp.position, target) >= 0 && pending === 0) break;
        if (Date.now() > deadline) {
          runner.stop();
          await running;
          throw new SyncError('SOURCE_UNAVAILABLE', `not drained within ${opts.timeout} s: ${pending} users pending, checkpoint ${cp?.position ?? 'none'} before ${target}`, {
            hint: 'check cidaas (status, dead letters) and the legacy database, then run cutover again; nothing was dropped', transient: true,
          });
        }
        await sleep(200);
      }
      runner.stop();
      await running;
      if (failure) throw failure;
      const final = (await pipeline.store.getCheckpoint())!.position;
      logger.info('drained: lag 0, nothing pending', { checkpoint: final });
      const report = await runVerify(config, { reader: pipeline.reader, mapper: pipeline.mapper, store: pipeline.store, logger }, {
        concurrency: opts.concurrency, read: opts.read, reportPath, progress: opts.progress, command: 'cutover',
      });
      const lines = await adapter.finish({
        finalPosition: final, release: opts.dropSlot === true, verified: report.equal, force: opts.force === true, reportPath, stopSource: () => pipeline.source.stop(),
      });
      for (const line of lines) process.stdout.write(`${line}\n`);
      if (!report.equal) {
        throw new SyncError('VERIFY_DIFFERENCES', `legacy and cidaas differ (report: ${reportPath})`, {
          hint: 'read the report; `cidaas-sync dlq list` shows refused users', exitCode: ExitCode.verify,
        });
      }
      complete = true;
      process.stdout.write('cutover complete: both sides match\n');
    } finally {
      await pipeline.close();
      // After a complete cutover the replicas stay standby for good; after a failed one they resume.
      await lease?.finish(complete);
    }
  });
  return cmd;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
