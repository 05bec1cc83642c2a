import path from 'node:path';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../redact/redact.js';
import type { DatabaseTls } from '../security/database-tls.js';

/** Where the state store lives, parsed from `state.url`. */
export type StateStoreLocation =
  | {
      kind: 'sqlite';
      /** An absolute file path, or `:memory:`. */
      path: string;
      /** How the store is named in messages and logs. */
      display: string;
    }
  | {
      kind: 'postgres';
      /** The URL as given, for `pg` (which understands `sslmode` and the other parameters). */
      url: string;
      display: string;
      /** `state.tls`; undefined: whatever the URL says. */
      tls?: DatabaseTls;
    }
  | {
      kind: 'mysql';
      flavor: 'mysql' | 'mariadb';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
      /** `?ssl=true`: connect over TLS, verifying the server certificate. */
      ssl: boolean;
      display: string;
      /** `state.tls`; when set it replaces `ssl`. */
      tls?: DatabaseTls;
    };

/** The URL with its password replaced by `***`, safe for messages and logs. */
export function maskUrl(url: string): string {
  return redactUrl(url);
}

const SCHEMES = 'sqlite:./path.db, sqlite::memory:, postgres://user:password@host:5432/db, mysql://user:password@host:3306/db or mariadb://...';

function invalid(url: string, why: string): ConfigError {
  const message = `state.url ${maskUrl(url)} ${why}`;
  return new ConfigError(message, [{ path: 'state.url', message: `${why}; write one of ${SCHEMES}` }], {
    hint: `set state.url to one of ${SCHEMES}`,
  });
}

/**
 * Parses `state.url`: `sqlite:<path>` (relative to the working directory; `sqlite:///abs/path`
 * works too), `sqlite::memory:`, `postgres://` or `postgresql://`, `mysql://` or `mariadb://`.
 * Throws a ConfigError for anything else; the error never contains the password.
 */
export function parseStateStoreUrl(url: string, cwd: string = process.cwd(), tls?: DatabaseTls): StateStoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') throw invalid(url, 'names no SQLite file');
    if (file === ':memory:') return { kind: 'sqlite', path: ':memory:', display: 'sqlite::memory:' };
    const abs = path.resolve(cwd, file);
    return { kind: 'sqlite', path: abs, display: abs };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw invalid(url, 'is not a valid URL');
    }
    if (u.pathname.replace(/^\//, '') === '') throw invalid(url, 'names no database (add /<database> after the host)');
    return { kind: 'postgres', url, display: maskUrl(url), ...(tls === undefined ? {} : { tls }) };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw invalid(url, 'is not a valid URL');
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (database === '') throw invalid(url, 'names no database (add /<database> after the host)');
    const ssl = u.searchParams.get('ssl');
    return {
      kind: 'mysql',
      flavor: scheme,
      host: u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
      port: u.port === '' ? 3306 : Number(u.port),
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database,
      ssl: ssl === 'true' || ssl === '1' || ssl === 'required',
      display: maskUrl(url),
      ...(tls === undefined ? {} : { tls }),
    };
  }
  throw invalid(url, scheme === undefined ? 'has no scheme' : `has the unsupported scheme "${scheme}:"`);
}
