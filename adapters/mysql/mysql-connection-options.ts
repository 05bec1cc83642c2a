import type { ConnectionOptions } from 'mysql2';
import type { Secret } from '../../src/secret.js';
import { nodeTlsOptions } from '../../src/security/database-tls.js';
import { tlsOf } from '../../src/security/database-url.js';

/**
 * The mysql2 settings every connection of the MySQL adapter uses, so that a value reads the same
 * from the binlog (zongji decodes with the binlog connection's settings) and from a query:
 * DATETIME/TIMESTAMP as UTC `Date`s (`timezone: 'Z'`, with the session `time_zone` set to
 * `+00:00` by {@link SESSION_TIME_ZONE_SQL}), BIGINT and DECIMAL as exact strings, JSON as text.
 * JSON as text because MariaDB's JSON is LONGTEXT: its binlog carries the text as written, which
 * zongji cannot tell from any other text, while a query would parse it (MySQL's binary JSON comes
 * out of zongji in the server's own text form with this setting too).
 */
export function mysqlConnectionOptions(url: Secret): ConnectionOptions {
  return {
    // mysql2 reads `mysql://user:pass@host:port/db?opt=...`; the scheme itself is not checked, but
    // keep it canonical for any option parser that does.
    uri: url.reveal().replace(/^mariadb:/i, 'mysql:'),
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: false,
    jsonStrings: true,
    connectTimeout: 10_000,
    ...mysqlTls(url),
  };
}

/** mysql2's `ssl` for the URL's configured TLS settings (none: the driver's default, plaintext). */
function mysqlTls(url: Secret): Pick<ConnectionOptions, 'ssl'> {
  const tls = tlsOf(url);
  const ssl = tls === undefined ? undefined : nodeTlsOptions(tls);
  return ssl === undefined ? {} : { ssl };
}

/** Run on every new connection: DATETIME and TIMESTAMP text in UTC, as `timezone: 'Z'` reads it. */
export const SESSION_TIME_ZONE_SQL = "SET time_zone = '+00:00'";

/** The database named in the URL path (`mysql://u@h/shop` -> `shop`), or null. */
export function mysqlUrlDatabase(url: Secret): string | null {
  try {
    const path = decodeURIComponent(new URL(url.reveal()).pathname.replace(/^\//, ''));
    return path === '' ? null : path;
  } catch {
    return null;
  }
}

/** Splits a configured `database.table` name. */
export function splitMysqlTable(name: string): { database: string; table: string } {
  const dot = name.indexOf('.');
  if (dot <= 0) throw new Error(`table "${name}" names no database: write database.table`);
  return { database: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** Quotes an identifier with backticks. */
export function quoteMysqlIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Quotes `database.table` as `` `database`.`table` `` (a name without a dot as one identifier). */
export function quoteMysqlTable(name: string): string {
  const dot = name.indexOf('.');
  if (dot <= 0) return quoteMysqlIdent(name);
  return `${quoteMysqlIdent(name.slice(0, dot))}.${quoteMysqlIdent(name.slice(dot + 1))}`;
}
