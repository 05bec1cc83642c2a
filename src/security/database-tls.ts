import type { Secret } from '../secret.js';

/**
 * How a connection to a database (the legacy source or the state store) is protected:
 * - `disable`: plaintext. Only chosen without asking for a server on this machine.
 * - `require`: TLS, but the server's certificate is not checked (stops a passive listener, not
 *   a man in the middle).
 * - `verify-full`: TLS, the certificate must chain to `ca` (or to the system's CAs when no `ca`
 *   is given) and name the host of the URL.
 */
export type TlsMode = 'disable' | 'require' | 'verify-full';

/** The TLS settings of one database connection, as resolved from `source.tls` / `state.tls`. */
export interface DatabaseTls {
  readonly mode: TlsMode;
  /** PEM: the CA(s) the server certificate must chain to. */
  readonly ca?: string;
  /** PEM: client certificate, for servers that ask for one. */
  readonly cert?: string;
  /** PEM: the client certificate's private key. */
  readonly key?: Secret;
}

/** The modes, in the order a message lists them. */
export const TLS_MODES: readonly TlsMode[] = ['disable', 'require', 'verify-full'];

/** The subset of node's `tls.connect` options the drivers are given (mysql2 adds `verifyIdentity`). */
export interface DriverTlsOptions {
  rejectUnauthorized: boolean;
  verifyIdentity: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * The options for node's `tls.connect` that pg (`ssl`), mysql2 (`ssl`), zongji and typeorm take;
 * undefined for `disable`.
 */
export function nodeTlsOptions(tls: DatabaseTls): DriverTlsOptions | undefined {
  if (tls.mode === 'disable') return undefined;
  const verify = tls.mode === 'verify-full';
  return {
    rejectUnauthorized: verify,
    // mysql2 checks the host name only when asked; pg and node check it whenever rejectUnauthorized.
    verifyIdentity: verify,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
  };
}
