import type { Secret } from '../secret.js';
import { TLS_MODES, type DatabaseTls, type TlsMode } from './database-tls.js';

/** `tls:` as written: a mode, or a mode with certificates. */
export type TlsSetting =
  | TlsMode
  | { readonly mode: TlsMode; readonly ca?: string | undefined; readonly cert?: string | undefined; readonly key?: Secret | undefined };

/** One thing wrong, with the key it is about (`url` or `tls...`) relative to the section. */
export interface TlsProblem {
  readonly key: (string | number)[];
  readonly message: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/**
 * The TLS settings of a database URL in `section` (`source` or `state`), and what is wrong with
 * them. TLS is set by `tls:` only: a TLS parameter in the URL (`sslmode=`, `ssl-mode=`, `ssl=`,
 * `sslrootcert=`, ...) would mean something different to each driver, so it is refused with a
 * message naming the setting. Without `tls:`, a server on this machine (loopback or a unix
 * socket) is reached in plaintext; any other host is refused, since password hashes and TOTP
 * secrets would cross the network unprotected.
 */
export function resolveDatabaseTls(section: string, url: string, setting: TlsSetting | undefined): { tls: DatabaseTls; problems: TlsProblem[] } {
  const problems: TlsProblem[] = [];
  const example = `\`tls: verify-full\` (with a private CA: \`tls: { mode: verify-full, ca: "\${file:/path/to/ca.pem}" }\`)`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined; // the URL check of the section says what is wrong with it
  }
  for (const name of parsed ? new Set(parsed.searchParams.keys()) : []) {
    if (/^(ssl|tls)/i.test(name)) {
      problems.push({
        key: ['url'],
        message: `has \`${name}=\` in its query: cidaas-sync does not read TLS settings from the URL (each driver reads them differently); remove it and set ${section}.tls instead: ${TLS_MODES.join(' | ')}, e.g. ${example}`,
      });
    }
  }
  const tls: DatabaseTls = typeof setting === 'string' ? { mode: setting } : setting ?? { mode: 'disable' };
  if (setting === undefined && parsed !== undefined && !isLocal(parsed)) {
    problems.push({
      key: ['tls'],
      message: `is not set and ${section}.url connects to ${parsed.hostname}, another machine: password hashes and TOTP secrets would cross the network in plaintext. Write ${example}, \`tls: require\` to encrypt without checking the certificate, or \`tls: disable\` to accept plaintext`,
    });
  }
  if (tls.mode === 'verify-full' && parsed !== undefined && /^(mysql|mariadb):$/i.test(parsed.protocol) && isIpAddress(parsed.hostname)) {
    problems.push({
      key: ['url'],
      message: `names the server by its IP address ${parsed.hostname}, and the MySQL driver cannot check an IP address against the certificate, so verify-full would not verify the host; write the host name the server's certificate was issued for`,
    });
  }
  if (typeof setting === 'object') {
    if ((setting.cert === undefined) !== (setting.key === undefined)) {
      problems.push({ key: ['tls', setting.cert === undefined ? 'cert' : 'key'], message: 'is missing: a client certificate needs both `cert` and `key` (PEM, e.g. `${file:/run/secrets/db-client.key}`)' });
    }
    if (setting.mode === 'disable' && (setting.ca !== undefined || setting.cert !== undefined)) {
      problems.push({ key: ['tls', 'mode'], message: 'is `disable`, so `ca`, `cert` and `key` are not used; remove them or choose `require` or `verify-full`' });
    }
    for (const pem of ['ca', 'cert'] as const) {
      const value = setting[pem];
      if (value !== undefined && !value.includes('-----BEGIN ')) {
        problems.push({ key: ['tls', pem], message: 'is not PEM text (no `-----BEGIN` line); write `${file:/path/to/file.pem}` to read the file' });
      }
    }
  }
  return { tls, problems };
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

/** Loopback, or no host at all (a unix socket, e.g. `postgres://u@/db?host=/run/postgresql`). */
function isLocal(url: URL): boolean {
  if (url.protocol === 'sqlite:') return true;
  if (url.hostname === '' || url.searchParams.get('host')?.startsWith('/') === true) return true;
  return LOOPBACK.test(url.hostname);
}
