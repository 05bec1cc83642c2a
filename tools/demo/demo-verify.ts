import type { Pipeline } from '../../src/app/open-pipeline.js';
import type { Logger } from '../../src/observability/logger.js';
import { formatVerifySummary } from '../../src/verify/format-verify-summary.js';
import { ownedFieldsOf } from '../../src/verify/owned-fields.js';
import { verifyUsers } from '../../src/verify/verify-users.js';
import type { DemoOutput } from './demo-output.js';

/** What the demo's verify step needs: the running sidecar's pipeline (reader, mapper, client, state store). */
export interface DemoVerifyOptions {
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  readonly out: DemoOutput;
  readonly signal: AbortSignal;
}

/**
 * Runs `verify` (src/verify) over every legacy user with the sidecar's own reader, mapper
 * and cidaas client, prints its summary indented, and resolves with its verdict:
 * `EQUAL`, `DIFFERENCES FOUND` or `INCOMPLETE`.
 */
export async function runDemoVerify(o: DemoVerifyOptions): Promise<string> {
  const { config, reader, mapper, client, store } = o.pipeline;
  const report = await verifyUsers({
    reader, mapper, client, store, logger: o.logger,
    // The pipeline's client keeps concurrency * 2 connections: stay within them.
    concurrency: config.cidaas.concurrency * 2,
    ownedFields: ownedFieldsOf(config),
    onDelete: config.cidaas.onDelete,
    signal: o.signal,
  });
  for (const line of formatVerifySummary(report).split('\n')) o.out.line(`      ${line}`);
  return !report.complete ? 'INCOMPLETE' : report.equal ? 'EQUAL' : 'DIFFERENCES FOUND';
}
