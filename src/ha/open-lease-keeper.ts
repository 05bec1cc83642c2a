import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../../config/config-schema.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { tlsOf } from '../security/database-url.js';
import { parseStateStoreUrl } from '../state/state-store-url.js';
import type { LeaseBackend, LeaseIdentity } from './lease-backend.js';
import { LeaseKeeper } from './lease-keeper.js';
import { SqliteFileLease } from './sqlite-file-lease.js';
import { sqlLeaseBackend } from './sql-lease-backend.js';

/** This process as the lease row names it: host, pid and a random suffix (a pid is reused after a restart). */
export function replicaIdentity(): LeaseIdentity {
  const host = hostname();
  return { holder: `${host}/${process.pid}/${randomBytes(3).toString('hex')}`, host, pid: process.pid };
}

/** The lease backend of the configured state store. Throws a ConfigError for an in-memory SQLite store. */
export function leaseBackendFor(config: Config, timeoutMs = 5000): LeaseBackend {
  // The lease connects like the state store itself: over `state.tls` when configured.
  const loc = parseStateStoreUrl(config.state.url.reveal(), process.cwd(), tlsOf(config.state.url));
  if (loc.kind !== 'sqlite') return sqlLeaseBackend(loc, timeoutMs, config.ha.leaseSeconds * 1000);
  if (loc.path === ':memory:') {
    throw new ConfigError('ha.enabled needs a state store the replicas share; sqlite::memory: is private to one process', [
      { path: 'ha.enabled', message: 'set state.url to a PostgreSQL or MySQL URL (or a SQLite file, one host only)' },
    ]);
  }
  return new SqliteFileLease(loc.path);
}

/** The lease keeper of this replica for `config` (ha.leaseSeconds). */
export function openLeaseKeeper(config: Config, logger: Logger, me: LeaseIdentity = replicaIdentity()): LeaseKeeper {
  const durationMs = config.ha.leaseSeconds * 1000;
  return new LeaseKeeper({ backend: leaseBackendFor(config, Math.min(5000, Math.max(500, durationMs / 3))), me, durationMs, logger });
}
