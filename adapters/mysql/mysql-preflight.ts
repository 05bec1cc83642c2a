import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Secret } from '../../src/secret.js';
import { compareBinlogFiles, parseBinlogPosition } from './binlog-position.js';
import { planResume } from './binlog-resume.js';
import type { ResumeQueries } from './binlog-resume.js';
import type { BinlogFile } from './mysql-server.js';
import { mysqlConnectionOptions, quoteMysqlTable, splitMysqlTable } from './mysql-connection-options.js';
import { checkMysqlTables } from './mysql-table-checks.js';
import type { ExpectedTable } from '../../src/preflight/expected-columns.js';
import { withTlsHint } from '../../src/security/with-tls-hint.js';
import { redactDriverError } from '../../src/redact/redact.js';

/** One line of `cidaas-sync check`: what was checked, whether it holds, and how to fix it when not. */
export interface PreflightItem {
  /** What was checked: `binlog_format`, `SELECT on shop.users`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was found. */
  readonly detail: string;
  /** For a failed item: the SQL to run or the my.cnf line to add. */
  readonly fix?: string;
}

/** What the MySQL checks need from the configuration. */
export interface MysqlPreflightArgs {
  /** The configured tables, `database.table`. */
  readonly tables: readonly string[];
  /** `source.serverId`: must differ from the server's own id. */
  readonly serverId: number;
  /** The stored checkpoint, when there is one: it must still be in the binlog. */
  readonly checkpoint?: string | null;
  /** The configured tables with their columns: each column must exist (not checked when absent). */
  readonly columns?: readonly ExpectedTable[];
  /** The shortest binlog retention that passes (default 3 days: a weekend outage). */
  readonly minRetentionSeconds?: number;
}

const DAY = 86_400;

/**
 * Checks a MySQL/MariaDB source for streaming, as the configured user: the binlog settings the
 * adapter depends on (binlog_row_metadata=FULL, or a row written before a column change is
 * replayed with today's column names and skipped; ROW format, as zongji cannot decode MIXED or
 * STATEMENT events nor MySQL transaction compression), the server id, the grants, and that the
 * binlog is kept long enough. Every failed item says what to run or write in my.cnf.
 */
export async function checkMysqlSource(url: Secret, args: MysqlPreflightArgs): Promise<PreflightItem[]> {
  let c: Connection;
  try {
    c = await mysql.createConnection(mysqlConnectionOptions(url));
  } catch (err) {
    redactDriverError(err);
    const message = (err as Error).message;
    return [{
      name: 'connect', ok: false, detail: `cannot connect: ${message}${withTlsHint(err, 'source')}`,
      fix: /auth_gssapi|ed25519|plugin/i.test(message)
        ? "mysql2 cannot authenticate with ed25519: ALTER USER '<user>'@'<host>' IDENTIFIED VIA mysql_native_password USING PASSWORD('<password>'); (and use TLS)"
        : 'check source.url: host, port, user, password; and that the server is up',
    }];
  }
  try {
    return await runChecks(c, args);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function runChecks(c: Connection, args: MysqlPreflightArgs): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  const version = String((await variable(c, 'VERSION()')) ?? '');
  const mariadb = /mariadb/i.test(version);
  const user = await currentUser(c);

  const logBin = Number(await variable(c, '@@log_bin')) === 1;
  items.push(logBin
    ? { name: 'log_bin', ok: true, detail: 'ON' }
    : { name: 'log_bin', ok: false, detail: 'the server writes no binlog', fix: 'my.cnf [mysqld]: log_bin = mysql-bin (then restart the server)' });

  items.push(setting('binlog_format', await variable(c, '@@GLOBAL.binlog_format'), 'ROW',
    "SET GLOBAL binlog_format = 'ROW'; and in my.cnf [mysqld]: binlog_format = ROW (sessions already open keep their format: reconnect the applications)"));
  items.push(setting('binlog_row_image', await variable(c, '@@GLOBAL.binlog_row_image'), 'FULL',
    "SET GLOBAL binlog_row_image = 'FULL'; and in my.cnf [mysqld]: binlog_row_image = FULL"));
  const metadata = await variable(c, '@@GLOBAL.binlog_row_metadata');
  items.push(metadata === undefined
    ? { name: 'binlog_row_metadata', ok: false, detail: `${version} has no binlog_row_metadata: rows logged before a column change cannot be decoded`, fix: 'upgrade to MariaDB 10.5+ or MySQL 8.0+' }
    : setting('binlog_row_metadata', metadata, 'FULL', "SET GLOBAL binlog_row_metadata = 'FULL'; and in my.cnf [mysqld]: binlog_row_metadata = FULL"));

  const serverId = Number(await variable(c, '@@server_id'));
  if (!(serverId > 0)) {
    items.push({ name: 'server_id', ok: false, detail: 'server_id is 0: the server refuses replicas', fix: 'my.cnf [mysqld]: server_id = 1 (any id no replica uses; then restart)' });
  } else if (serverId === args.serverId) {
    items.push({ name: 'server_id', ok: false, detail: `source.serverId ${args.serverId} is the server's own server_id`, fix: `set source.serverId to another number, e.g. serverId: ${args.serverId + 1000}` });
  } else {
    items.push({ name: 'server_id', ok: true, detail: `server ${serverId}, ours ${args.serverId}` });
  }

  items.push(...await grantChecks(c, mariadb, version, user, args.tables));
  if (args.columns) items.push(...await checkMysqlTables(c, args.columns));
  items.push(...await retentionChecks(c, args));
  return items;
}

async function grantChecks(c: Connection, mariadb: boolean, version: string, user: string, tables: readonly string[]): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  const privileges = await globalPrivileges(c, user);
  items.push(privileges.has('REPLICATION SLAVE') || privileges.has('ALL PRIVILEGES')
    ? { name: 'grant REPLICATION SLAVE', ok: true, detail: `${user} may read the binlog stream` }
    : { name: 'grant REPLICATION SLAVE', ok: false, detail: `${user} lacks REPLICATION SLAVE: the binlog dump is refused`, fix: `GRANT REPLICATION SLAVE ON *.* TO ${user};` });

  // MariaDB 10.5.2 split REPLICATION CLIENT into BINLOG MONITOR (and others); SHOW BINARY LOGS needs it.
  const monitor = mariadb && atLeast(version, [10, 5, 2]) ? 'BINLOG MONITOR' : 'REPLICATION CLIENT';
  try {
    await c.query('SHOW BINARY LOGS');
    items.push({ name: `grant ${monitor}`, ok: true, detail: `${user} may list the binlog files` });
  } catch (err) {
    if ((err as { errno?: number }).errno === 1381) {
      items.push({ name: `grant ${monitor}`, ok: true, detail: 'no binlog to list (see log_bin)' });
    } else {
      items.push({ name: `grant ${monitor}`, ok: false, detail: `SHOW BINARY LOGS failed: ${(err as Error).message}`, fix: `GRANT ${monitor} ON *.* TO ${user};` });
    }
  }

  for (const table of tables) {
    const { database, table: name } = splitMysqlTable(table);
    try {
      await c.query(`SELECT 1 FROM ${quoteMysqlTable(table)} LIMIT 0`);
      items.push({ name: `SELECT on ${table}`, ok: true, detail: 'readable' });
    } catch (err) {
      const errno = (err as { errno?: number }).errno;
      items.push(errno === 1146
        ? { name: `SELECT on ${table}`, ok: false, detail: `table ${table} does not exist`, fix: `check the table name in the configuration (database ${database}, table ${name})` }
        : { name: `SELECT on ${table}`, ok: false, detail: (err as Error).message, fix: `GRANT SELECT ON ${quoteMysqlTable(table)} TO ${user};` });
    }
  }
  return items;
}

async function retentionChecks(c: Connection, args: MysqlPreflightArgs): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  const min = args.minRetentionSeconds ?? 3 * DAY;
  const seconds = await variable(c, '@@GLOBAL.binlog_expire_logs_seconds');
  const days = await variable(c, '@@GLOBAL.expire_logs_days');
  const retention = seconds !== undefined && Number(seconds) > 0 ? Number(seconds) : days !== undefined ? Number(days) * DAY : 0;
  const files = await c.query<RowDataPacket[]>('SHOW BINARY LOGS').then(([r]) => r.map((f) => ({ name: String(f.Log_name), size: Number(f.File_size) })), () => null);
  const total = files?.reduce((s, f) => s + f.size, 0) ?? null;

  let lag: number | null = null;
  if (args.checkpoint && files) {
    const p = parseBinlogPosition(args.checkpoint);
    const mariadb = /mariadb/i.test(String((await variable(c, 'VERSION()')) ?? ''));
    const resume = await planResume(connectionQueries(c, files), p, mariadb).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (resume instanceof Error) {
      items.push({ name: 'checkpoint in binlog', ok: false, detail: resume.message, fix: 'cidaas-sync backfill --restart' });
    } else if (resume.by === 'gtid') {
      items.push({ name: 'checkpoint in binlog', ok: true, detail: `resumes from the checkpoint's GTID position ${p.gtid!}: ${resume.reason}` });
    } else {
      lag = files.reduce((s, f) => { const k = compareBinlogFiles(f.name, p.file); return k < 0 ? s : s + (k === 0 ? Math.max(0, f.size - p.offset) : f.size); }, 0);
      items.push({ name: 'checkpoint in binlog', ok: true, detail: `${p.file} is kept; the checkpoint is ${lag} bytes behind the end of the log` });
    }
  }
  const lagText = lag === null ? '' : `; the checkpoint is ${lag} bytes behind`;
  const sizeText = total === null ? '' : `; ${files!.length} binlog files, ${total} bytes`;
  const fix = `SET GLOBAL binlog_expire_logs_seconds = ${Math.max(min, 7 * DAY)}; and in my.cnf [mysqld]: binlog_expire_logs_seconds = ${Math.max(min, 7 * DAY)} ` +
    `(older servers: expire_logs_days = ${Math.ceil(Math.max(min, 7 * DAY) / DAY)})`;
  if (retention === 0) {
    items.push({ name: 'binlog retention', ok: true, detail: `binlogs are never expired${sizeText}${lagText}` });
  } else if (retention < min) {
    items.push({ name: 'binlog retention', ok: false, detail: `binlogs expire after ${formatDuration(retention)}, less than ${formatDuration(min)}: an outage that long loses the checkpoint${sizeText}${lagText}`, fix });
  } else {
    items.push({ name: 'binlog retention', ok: true, detail: `binlogs expire after ${formatDuration(retention)}${sizeText}${lagText}` });
  }

  // MariaDB 11.4+ also purges by total size: our unconsumed binlog must stay well inside it.
  const sizeLimit = Number(await variable(c, '@@GLOBAL.max_binlog_total_size') ?? 0);
  if (sizeLimit > 0 && lag !== null && lag > sizeLimit / 2) {
    items.push({
      name: 'binlog size limit', ok: false, detail: `max_binlog_total_size is ${sizeLimit} bytes and the checkpoint is ${lag} bytes behind: a purge may remove it`,
      fix: `SET GLOBAL max_binlog_total_size = ${Math.max(sizeLimit * 4, lag * 4)}; (or 0 for no size limit)`,
    });
  }
  return items;
}

function setting(name: string, value: unknown, want: string, fix: string): PreflightItem {
  const v = value === undefined || value === null ? 'unset' : String(value).toUpperCase();
  return v === want ? { name, ok: true, detail: v } : { name, ok: false, detail: `${v}, needs ${want}`, fix };
}

/** A server variable or expression; `undefined` when the server does not know it. */
async function variable(c: Connection, expr: string): Promise<unknown> {
  try {
    const [rows] = await c.query<RowDataPacket[]>(`SELECT ${expr} AS v`);
    return rows[0]?.v;
  } catch {
    return undefined;
  }
}

/** `'user'@'host'` of the session, as GRANT wants it. */
async function currentUser(c: Connection): Promise<string> {
  const raw = String(await variable(c, 'CURRENT_USER()') ?? '');
  const at = raw.lastIndexOf('@');
  const name = at < 0 ? raw : raw.slice(0, at);
  const host = at < 0 ? '%' : raw.slice(at + 1);
  return `'${name.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
}

/** The session user's global privileges (`information_schema.USER_PRIVILEGES`; roles are not expanded). */
async function globalPrivileges(c: Connection, user: string): Promise<Set<string>> {
  const [rows] = await c.query<RowDataPacket[]>('SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?', [user]);
  return new Set(rows.map((r) => String(r.p).toUpperCase()));
}

function atLeast(version: string, want: readonly number[]): boolean {
  const have = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  for (let i = 0; i < want.length; i++) {
    const h = have[i] ?? 0, w = want[i]!;
    if (h !== w) return h > w;
  }
  return true;
}

function formatDuration(seconds: number): string {
  return seconds % DAY === 0 ? `${seconds / DAY} days` : seconds >= DAY ? `${(seconds / DAY).toFixed(1)} days` : `${Math.round(seconds / 3600)} hours`;
}

/** The resume rule's queries on the check's connection. */
function connectionQueries(c: Connection, files: readonly BinlogFile[]): ResumeQueries {
  const one = async (sql: string, params: unknown[] = []): Promise<string | null> => {
    const [rows] = await c.query<RowDataPacket[]>(sql, params);
    const v = rows[0]?.['v'];
    return v == null ? null : String(v);
  };
  return {
    binaryLogs: async () => [...files],
    gtidAt: async (file, offset) => (await one('SELECT BINLOG_GTID_POS(?, ?) AS v', [file, offset])) || null,
    gtidBinlogState: async () => (await one('SELECT @@GLOBAL.gtid_binlog_state AS v')) ?? '',
  };
}
