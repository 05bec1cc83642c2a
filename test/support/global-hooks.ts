/**
 * Mocha root hooks and global fixtures (loaded through `require` in .mocharc.json).
 * The database servers start lazily on first use (see servers.ts); this module only
 * notes failures and stops whatever was started when the run ends. A failed run keeps
 * the servers' data dirs and prints their paths.
 */
import type { Context } from 'mocha';
import { markRunFailed, stopAllServers } from './server-registry.js';

/** Root hooks: every test file gets them. */
export const mochaHooks = {
  afterEach(this: Context): void {
    if (this.currentTest?.state === 'failed') markRunFailed();
  },
};

/**
 * Mocha 12 calls global setup with the runner as `this`: listening to its `fail`
 * event also catches failed before/after hooks, which afterEach never sees.
 */
export function mochaGlobalSetup(this: unknown): void {
  if (isEventSource(this)) this.on('fail', markRunFailed);
}

/** Stops every server this run started; deletes their data unless something failed. */
export async function mochaGlobalTeardown(): Promise<void> {
  await stopAllServers();
}

function isEventSource(value: unknown): value is { on(event: string, listener: () => void): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { on?: unknown }).on === 'function';
}
