import { ExitCode, SyncError } from '../../src/errors.js';

/** What a failure of the binlog stream means for the adapter: reconnect, or stop and tell the operator. */
export type BinlogFailure =
  | { readonly kind: 'transient' }
  | { readonly kind: 'fatal'; readonly error: SyncError };

interface DriverError {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  sqlMessage?: unknown;
}

/** ER_MASTER_FATAL_ERROR_READING_BINLOG: the server cannot send from the requested position. */
export const ER_MASTER_FATAL_ERROR_READING_BINLOG = 1236;

const ACCESS_DENIED = new Set([1044, 1045, 1142, 1143, 1227, 1251, 1370, 1698]);
const NETWORK_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT',
  'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_SOCKET_CLOSED',
]);

/**
 * Sorts an error from zongji or mysql2. Connection trouble and server-side interruptions (shutdown,
 * KILL, too many connections) are transient. A refused position (purged binlog, offset past the
 * file's end), missing privileges and an event zongji could not decode are fatal: reconnecting
 * cannot cure them, and skipping an undecodable event would lose its changes silently.
 */
export function classifyBinlogError(err: Error): BinlogFailure {
  const e = err as Error & DriverError;
  const errno = typeof e.errno === 'number' ? e.errno : null;
  const code = typeof e.code === 'string' ? e.code : null;
  if (errno === ER_MASTER_FATAL_ERROR_READING_BINLOG) {
    if (/server_?id|server_uuid/i.test(err.message)) {
      return fatal(new SyncError('SOURCE_PREFLIGHT', `the server refused the binlog stream: ${err.message}`, {
        cause: err, exitCode: ExitCode.preflight, hint: 'give source.serverId a value no other replica of this server uses',
      }));
    }
    return fatal(positionLost(`the server cannot send the binlog from the checkpoint: ${err.message}`, err));
  }
  if (errno !== null && ACCESS_DENIED.has(errno)) {
    return fatal(new SyncError('SOURCE_PREFLIGHT', `the server refused the binlog stream: ${err.message}`, {
      cause: err, exitCode: ExitCode.preflight,
      hint: 'run `cidaas-sync check`: the user needs REPLICATION SLAVE, REPLICATION CLIENT (MariaDB: BINLOG MONITOR) and SELECT on the tables',
    }));
  }
  if (e.fatal === true || (code !== null && NETWORK_CODES.has(code)) || errno !== null) return { kind: 'transient' };
  // zongji halts when its control connection breaks in a metadata lookup: a new stream cures it.
  if (/control connection unavailable/i.test(err.message)) return { kind: 'transient' };
  return fatal(new SyncError('SOURCE_PROTOCOL', `the binlog could not be decoded: ${err.message}`, {
    cause: err,
    hint: 'the server must run with binlog_format=ROW, binlog_row_image=FULL and binlog_row_metadata=FULL, without ' +
      'binlog_transaction_compression or PARTIAL_JSON (run `cidaas-sync check`); after fixing, run `cidaas-sync backfill --restart`',
  }));
}

/** The error for a checkpoint the server no longer has. */
export function positionLost(message: string, cause?: unknown): SyncError {
  return new SyncError('SOURCE_POSITION_LOST', `${message}; changes may have been missed`, {
    cause, exitCode: ExitCode.runtime,
    hint: 'run `cidaas-sync backfill --restart` to resynchronise every user, and keep binlogs longer ' +
      '(binlog_expire_logs_seconds / expire_logs_days) than the sidecar may be down',
  });
}

function fatal(error: SyncError): BinlogFailure {
  return { kind: 'fatal', error };
}
