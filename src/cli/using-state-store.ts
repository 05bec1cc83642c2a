import { existsSync } from 'node:fs';
import type { Config } from '../../config/config-schema.js';
import type { Logger } from '../observability/logger.js';
import { openStateStore } from '../state/open-state-store.js';
import { parseStateStoreUrl } from '../state/state-store-url.js';
import type { StateStore } from '../state/state-store.js';

/**
 * Opens the state store named by `state.url`, runs `fn`, and closes the store whatever happens.
 * A SQLite store that does not exist yet is not created: `fn` is not called and the result is
 * null (nothing ran with this configuration, so there is nothing to read or change).
 */
export async function usingStateStore<T>(config: Config, logger: Logger, fn: (store: StateStore) => Promise<T>): Promise<T | null> {
  const loc = parseStateStoreUrl(config.state.url.reveal());
  if (loc.kind === 'sqlite' && loc.path !== ':memory:' && !existsSync(loc.path)) return null;
  const store = await openStateStore(config.state.url, { logger });
  try {
    return await fn(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}
