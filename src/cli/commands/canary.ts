import { Command } from 'commander';
import { formatCanaryReport } from '../../canary/canary-finding.js';
import { ExitCode, SyncError } from '../../errors.js';
import { configFrom, withConfigOption } from '../config-option.js';
import { commandLogger } from '../output/command-logger.js';
import { printJson } from '../output/print-json.js';
import { runCanaryForConfig } from '../run-canary-for-config.js';

/**
 * `cidaas-sync canary`: proves the tenant's answers to every `cidaas.compat` question with
 * throwaway users before the first push; exit 0 only when nothing is refuted.
 */
export function canaryCommand(): Command {
  const cmd = new Command('canary')
    .description('check the cidaas tenant with throwaway canary users before the first push: one line per assumption (confirmed / refuted with the setting to write / not testable with what to ask cidaas support); exit 3 when one is refuted')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Exit codes: 0 nothing refuted, 2 bad configuration, 3 an assumption is refuted (write the settings it prints), 1 cidaas or the database failed.',
      'Every canary user is removed at the end, also after a failure or Ctrl-C; a run that was killed is cleaned up by the next.',
      '',
      'Example:',
      '  cidaas-sync canary --config /etc/cidaas-sync/config.yaml',
    ].join('\n'));
  withConfigOption(cmd);
  cmd.action(async (opts: { config: string; json?: boolean }) => {
    const config = await configFrom(opts);
    const logger = commandLogger();
    const signal = { aborted: false };
    const onSignal = (): void => { signal.aborted = true; };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const report = await runCanaryForConfig(config, logger, signal);
      if (opts.json) printJson(report);
      else process.stdout.write(formatCanaryReport(report));
      const refuted = report.findings.filter((f) => f.verdict === 'refuted').length;
      if (refuted > 0) {
        throw new SyncError('CANARY_REFUTED', `${refuted} assumption${refuted === 1 ? '' : 's'} about the tenant refuted`, {
          hint: 'write the settings printed above under cidaas.compat in the config, then run canary again', exitCode: ExitCode.preflight,
        });
      }
      if (report.leftOver.length > 0) {
        throw new SyncError('CIDAAS_REJECTED', `${report.leftOver.length} canary users could not be removed`, {
          hint: 'they are on record in the state store: run canary again to remove them, or delete them in the cidaas admin UI', exitCode: ExitCode.runtime,
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
  return cmd;
}
