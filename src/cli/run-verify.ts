import { SingleBar } from 'cli-progress';
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
import { writeVerifyReport } from '../verify/write-verify-report.js';

export interface RunVerifyOptions {
  readonly sample?: number;
  readonly concurrency: number;
  /** How to read cidaas; default what `cidaas.compat.search` says. */
  readonly read?: CidaasReadMode;
  /** Where the JSON report goes. */
  readonly reportPath: string;
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
    baseUrl: config.cidaas.baseUrl, clientId: config.cidaas.clientId, clientSecret: config.cidaas.clientSecret,
    logger: parts.logger.child({ component: 'cidaas' }), connections: o.concurrency, requestTimeoutMs: config.cidaas.requestTimeoutMs,
    compat: config.cidaas.compat,
  });
  const signal = { aborted: false };
  const onSigint = (): void => { signal.aborted = true; };
  process.on('SIGINT', onSigint);
  const bar = o.progress && process.stderr.isTTY
    ? new SingleBar({ format: 'verify |{bar}| {percentage}% {value}/{total} users | ETA {eta_formatted}', stream: process.stderr, hideCursor: true })
    : null;
  let started = false;
  let lastLine = 0;
  try {
    const report = await verifyUsers({
      reader: parts.reader, mapper: parts.mapper, client, store: parts.store, logger: parts.logger,
      concurrency: o.concurrency, cidaasRead: o.read ?? readModeOf(config.cidaas.compat.search), ownedFields: ownedFieldsOf(config), onDelete: config.cidaas.onDelete,
      ...(o.sample !== undefined ? { sample: o.sample } : {}), signal,
      onProgress: (done, total) => {
        if (bar) {
          if (!started) { bar.start(Math.max(total ?? done, done), done); started = true; }
          bar.setTotal(Math.max(total ?? done, done));
          bar.update(done);
        } else if (Date.now() - lastLine > 5000) {
          lastLine = Date.now();
          parts.logger.info('verify progress', { done, total });
        }
      },
    });
    if (started) bar?.stop();
    await writeVerifyReport(report, o.reportPath);
    process.stdout.write(formatVerifySummary(report) + `\nreport: ${o.reportPath}\n`);
    return report;
  } finally {
    if (started) bar?.stop();
    process.off('SIGINT', onSigint);
    await client.close();
  }
}
