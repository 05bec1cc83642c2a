import type { Logger } from '../observability/logger.js';
import { silentLogger } from '../observability/logger.js';
import { Secret } from '../secret.js';
import { tlsOf } from '../security/database-url.js';
import type { StateStore } from './state-store.js';
import { parseStateStoreUrl } from './state-store-url.js';
import { TypeormStateStore } from './typeorm-state-store.js';

/** Options of {@link openStateStore}. */
export interface OpenStateStoreOptions {
  logger?: Logger;
  /**
   * SQLite: how long an operation waits for another process's lock before failing as transient
   * (5000 ms by default), asynchronously: the event loop keeps serving meanwhile.
   */
  busyTimeoutMs?: number;
}

/**
 * Opens the state store named by `state.url` and brings its schema up to date:
 * `sqlite:./path.db` (the parent directory is created), `sqlite::memory:`,
 * `postgres://...` / `postgresql://...`, `mysql://...` / `mariadb://...`. On PostgreSQL and
 * MySQL the tables are named `cidaas_sync_*`, so the store can live in the legacy database.
 * Throws ConfigError for a malformed URL, SyncError STATE_STORE when the store cannot be opened.
 */
export async function openStateStore(url: string | Secret, opts: OpenStateStoreOptions = {}): Promise<StateStore> {
  const loc = parseStateStoreUrl(url instanceof Secret ? url.reveal() : url, process.cwd(), tlsOf(url));
  const store = new TypeormStateStore(loc, {
    logger: (opts.logger ?? silentLogger).child({ component: 'state-store' }),
    ...(opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs }),
  });
  await store.open();
  return store;
}
