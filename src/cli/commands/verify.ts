import { Command, Option } from 'commander';
import { SyncError, ExitCode } from '../../errors.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { defaultReportPath, runVerify } from '../run-verify.js';
import { usingLegacyReader } from '../using-legacy-reader.js';
import { usingStateStore } from '../using-state-store.js';

/** `cidaas-sync verify`: every live legacy user against cidaas; exit 0 only when both sides match. */
export function verifyCommand(): Command {
  const cmd = new Command('verify')
    .description('compare every live legacy user with cidaas, field group by field group; exit 4 when they differ')
    .option('--sample <n>', 'check a uniform random sample of N users instead of all', (v) => positiveInt('--sample', v))
    .option('--report <file>', 'where to write the JSON report (default: cidaas-sync-verify-<time>.json)')
    .option('--concurrency <n>', 'cidaas calls in flight', (v) => positiveInt('--concurrency', v), 16)
    .addOption(new Option('--read <mode>', 'read cidaas by search (fast), bulkread (any size) or GET per user (default: cidaas.compat.search)').choices(['search', 'bulkread', 'get']))
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText('after', '\nExamples:\n  cidaas-sync verify --config sync.yaml\n  cidaas-sync verify --config sync.yaml --sample 10000 --report /tmp/verify.json\n\nRuns while `run` runs (findings are rechecked once, so users the sync fixes meanwhile are not reported) or after it.');
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; sample?: number; report?: string; concurrency: number; read?: 'search' | 'bulkread' | 'get'; progress: boolean }) => {
    const config = await configFrom(opts);
    const logger = commandLogger('info');
    const reportPath = opts.report ?? defaultReportPath('verify');
    const report = await usingStateStore(config, logger, (store) => usingLegacyReader(config, logger, ({ reader, mapper }) =>
      runVerify(config, { reader, mapper, store, logger }, {
        concurrency: opts.concurrency, read: opts.read, reportPath, progress: opts.progress, ...(opts.sample !== undefined ? { sample: opts.sample } : {}),
      })));
    if (report === null) {
      throw new SyncError('USAGE', `no state store at ${config.state.redactedUrl}: nothing has been synced with this configuration yet`, {
        hint: 'run `cidaas-sync run --config ...` first (verify compares what the sync pushed)', exitCode: ExitCode.config,
      });
    }
    if (!report.equal) {
      throw new SyncError('VERIFY_DIFFERENCES', `legacy and cidaas differ (report: ${reportPath})`, {
        hint: 'read the report; `cidaas-sync dlq list` shows refused users; run verify again once the sync has caught up', exitCode: ExitCode.verify,
      });
    }
  });
  return cmd;
}

export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SyncError('USAGE', `${flag} must be a whole number of at least 1, not ${JSON.stringify(v)}`, { exitCode: ExitCode.config });
  return n;
}
