import { Secret } from '../secret.js';
import type { DatabaseTls } from './database-tls.js';

// A registered symbol, not `instanceof`: the test runner may load this module twice (ESM and CJS),
// and a URL made by one copy must still carry its settings to the other.
const TLS = Symbol.for('cidaas-sync.database-url.tls');

/**
 * A database URL (a {@link Secret}: it may hold a password) together with the TLS settings
 * the configuration gives for it, so that every connection made from the URL is protected the
 * same way. A plain Secret URL (tests, throwaway servers) has no settings: the driver's own.
 */
export class DatabaseUrl extends Secret {
  readonly [TLS]: DatabaseTls;

  constructor(value: string, tls: DatabaseTls) {
    super(value);
    this[TLS] = tls;
  }

  /** The TLS settings of this URL. */
  get tls(): DatabaseTls {
    return this[TLS];
  }
}

/** The TLS settings configured for `url`, or undefined for a URL that carries none. */
export function tlsOf(url: Secret | string): DatabaseTls | undefined {
  if (typeof url === 'string') return undefined;
  const tls = (url as unknown as Partial<Record<typeof TLS, DatabaseTls>>)[TLS];
  return tls;
}
