import type { Secret } from '../secret.js';
import { nodeTlsOptions, type DriverTlsOptions } from './database-tls.js';
import { tlsOf } from './database-url.js';

/** The connection settings pg (and pg-logical-replication, typeorm) needs for a PostgreSQL URL. */
export interface PgConnectionConfig {
  connectionString: string;
  ssl?: false | DriverTlsOptions;
}

/**
 * `connectionString` plus `ssl` from the URL's TLS settings. pg lets `sslmode` in the URL
 * override `ssl`, so a configured URL never carries one (the configuration refuses it).
 */
export function pgConnectionConfig(url: Secret): PgConnectionConfig {
  const tls = tlsOf(url);
  if (tls === undefined) return { connectionString: url.reveal() };
  return { connectionString: url.reveal(), ssl: nodeTlsOptions(tls) ?? false };
}
