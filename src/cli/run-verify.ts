import type { Config } from '../../config/config-schema.js';
import { CidaasClient } from '../cidaas/cidaas-client.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { StateStore } from '../state/state-store.js';
import type { UserMapper } from '../user-mapper.js';
import { formatVerifySummary } from '../verify/format-verify-summary.js';
import { ownedFieldsOf } from '../verify/owned-fields.js';
import type { VerifyReport } from '../verify/verify-report.js';
import { verifyUsers } from '../verify/verify-users.js';
import { readModeOf, type CidaasReadMode } from '../verify/cidaas-user-lookup.js';
import { htmlReportPath, writeReportFile, writeVerifyReport } from '../verify/write-verify-report.js';
import { renderVerifyReportHtml } from '../verify/verify-report-html.js';
import { LAST_VERIFY_META, type LastVerify } from '../observability/live-status.js';
import { VERSION } from '../version.js';
import { ProgressBar } from './output/progress-bar.js';

export interface RunVerifyOptions {
  readonly sample?: number;
  readonly concurrency: number;
  /** How to read cidaas; default what `cidaas.compat.search` says. */
  readonly read?: CidaasReadMode;
  /** Where the JSON report goes; the HTML report goes beside it (`.html`). */
  readonly reportPath: string;
  /** The command that runs verify (`verify`, `cutover`): named in the reports and on the status page. */
  readonly command?: string;
  readonly progress: boolean;
}

/** The default report file: in the working directory, named after the time. */
export function defaultReportPath(kind: string): string {
  return `cidaas-sync-${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
}

/**
 * Runs verify for a command (`verify`, `cutover`): a progress bar on a terminal, Ctrl-C stops after
 * the pages in flight, the JSON report written, the summary on stdout.
 */
export async function runVerify(config: Config, parts: { reader: LegacyReader; mapper: UserMapper; store: StateStore; logger: Logger }, o: RunVerifyOptions): Promise<VerifyReport> {
  const client = new CidaasClient({
    baseUrl: config.cidaas.baseUrl, clientId: config.cidaas.clientId, clientSecret: config.cidaas.clientSecret, allowEmulator: config.cidaas.allowEmulator,
    logger: parts.logger.child({ component: 'cidaas' }), connections: o.concurrency, requestTimeoutMs: config.cidaas.requestTimeoutMs,
    compat: config.cidaas.compat,
  });
  const signal = { aborted: false };
  const onSigint = (): void => { signal.aborted = true; };
  process.on('SIGINT', onSigint);
  const bar = ProgressBar.open(o.progress, { label: 'verify' });
  let lastLine = 0;
  try {
    const report = await verifyUsers({
      reader: parts.reader, mapper: parts.mapper, client, store: parts.store, logger: parts.logger,
      concurrency: o.concurrency, cidaasRead: o.read ?? readModeOf(config.cidaas.compat.search), ownedFields: ownedFieldsOf(config), onDelete: config.cidaas.onDelete, onRevoked: config.password?.onRevoked ?? 'scramble',
      ...(o.sample !== undefined ? { sample: o.sample } : {}), signal,
      onProgress: (done, total) => {
        if (bar) bar.update(done, total);
        else if (Date.now() - lastLine > 5000) {
          lastLine = Date.now();
          parts.logger.info('verify progress', { done, total });
        }
      },
    });
    bar?.stop();
    const command = o.command ?? 'verify';
    const htmlPath = htmlReportPath(o.reportPath);
    const checkpoint = (await parts.store.getCheckpoint())?.position ?? null;
    await writeVerifyReport(report, o.reportPath);
    await writeReportFile(htmlPath, renderVerifyReportHtml(report, { command, checkpoint, version: VERSION, jsonReport: o.reportPath }));
    const last: LastVerify = {
      at: report.at, command, equal: report.equal, complete: report.complete, checked: report.checked, legacyUsers: report.legacyUsers,
      counts: { ...report.counts, totpReenrol: report.totpReenrol.count, totpStranded: report.totpStranded.count }, reports: [o.reportPath, htmlPath],
    };
    await parts.store.setMeta(LAST_VERIFY_META, JSON.stringify(last));
    process.stdout.write(formatVerifySummary(report) + `\nreport: ${o.reportPath}\nreport for sign-off: ${htmlPath}\n`);
    return report;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
    await client.close();
  }
}
