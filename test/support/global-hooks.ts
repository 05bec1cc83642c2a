/**
 * Mocha root hooks and global fixtures (loaded through `require` in .mocharc.json).
 * The database servers start lazily on first use (see servers.ts); this module only
 * notes failures and stops whatever was started when the run ends. A failed run keeps
 * the servers' data dirs and prints their paths.
 */
import type { Context } from 'mocha';
import { recordFileDurations } from './file-durations.js';
import { markRunFailed, stopAllServers } from './server-registry.js';

/** Root hooks: every test file gets them. */
export const mochaHooks = {
  afterEach(this: Context): void {
    if (this.currentTest?.state === 'failed') markRunFailed();
  },
};

/**
 * Mocha 12 calls global setup with the runner as `this`: listening to its `fail`
 * event also catches failed before/after hooks, which afterEach never sees. With
 * CIDAAS_TEST_DURATIONS set (test/run-tests.ts sets it), each file's duration is
 * written there when the run ends, for balancing the parallel jobs of the next run.
 */
export function mochaGlobalSetup(this: unknown): void {
  if (!isEventSource(this)) return;
  this.on('fail', markRunFailed);
  const out = process.env.CIDAAS_TEST_DURATIONS;
  if (out) recordFileDurations(this, out);
}

/** Stops every server this run started; deletes their data unless something failed. */
export async function mochaGlobalTeardown(): Promise<void> {
  await stopAllServers();
}

function isEventSource(value: unknown): value is { on(event: string, listener: (...args: never[]) => void): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { on?: unknown }).on === 'function';
}
