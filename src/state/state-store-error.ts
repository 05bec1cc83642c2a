import { SyncError } from '../errors.js';
import type { StateStoreLocation } from './state-store-url.js';
import { withTlsHint } from '../security/with-tls-hint.js';
import { redactDriverError } from '../redact/redact.js';

/** The driver's own error under typeorm's wrappers (QueryFailedError keeps it as `driverError`). */
function driverError(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    const inner = (e as { driverError?: unknown }).driverError;
    if (inner === undefined) break;
    e = inner;
  }
  return e;
}

function field(err: unknown, name: string): string {
  if (err === null || typeof err !== 'object') return '';
  const v = (err as Record<string, unknown>)[name];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function passwordOf(loc: StateStoreLocation): string {
  if (loc.kind === 'mysql') return loc.password;
  if (loc.kind !== 'postgres') return '';
  try {
    return decodeURIComponent(new URL(loc.url).password);
  } catch {
    return '';
  }
}

interface Verdict {
  what: string;
  transient: boolean;
  hint: string;
}

const RETRY = 'cidaas-sync retries on its own; if this persists, check that the database is up and reachable';

function classify(loc: StateStoreLocation, code: string, errno: string, message: string): Verdict {
  const where = loc.kind === 'sqlite' ? `the state store at ${loc.display}` : `the state store database ${loc.display}`;
  if (code.startsWith('SQLITE_READONLY') || errno === 'EROFS' || /readonly database/i.test(message)) {
    return {
      what: `${where} is read-only`,
      transient: false,
      hint: `make it writable (the file and its directory, by the user running cidaas-sync), or set state.url to a writable path`,
    };
  }
  if (code === 'SQLITE_FULL' || errno === 'ENOSPC' || code === '53100' || code === 'ER_RECORD_FILE_FULL' || code === 'ER_DISK_FULL') {
    return { what: `the disk of ${where} is full`, transient: false, hint: 'free space on that disk (or move state.url elsewhere), then start cidaas-sync again' };
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY')) {
    return { what: `${where} is locked by another process`, transient: true, hint: 'another process (a second cidaas-sync, a backup, an sqlite3 shell) holds the write lock; cidaas-sync retries for up to a minute, then stops and its supervisor restarts it' };
  }
  if (code === 'SQLITE_CANTOPEN' || errno === 'EACCES' || errno === 'EPERM' || code === 'SQLITE_PERM') {
    return { what: `${where} cannot be opened`, transient: false, hint: 'check that the directory exists or can be created and is writable by the user running cidaas-sync' };
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return { what: `${where} is not a valid SQLite database`, transient: false, hint: 'point state.url at the cidaas-sync state file, or restore it from a backup' };
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return { what: `${where} had an I/O error`, transient: false, hint: 'check the disk and the file system holding the file' };
  }
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST'].includes(code || errno)
    || /^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '40001', '40P01'].includes(code)
    || ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN'].includes(code)
    || /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message)) {
    return { what: `${where} is unavailable`, transient: true, hint: RETRY };
  }
  if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    return { what: `${where} refused the login`, transient: false, hint: 'check the user and password in state.url' };
  }
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR') {
    return { what: `${where} does not exist`, transient: false, hint: 'create the database, or name an existing one in state.url' };
  }
  if (code === '42501' || code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') {
    return { what: `${where} denied a privilege`, transient: false, hint: 'grant the state store user CREATE, SELECT, INSERT, UPDATE and DELETE on its database (it creates tables named cidaas_sync_*)' };
  }
  return { what: `${where} failed`, transient: false, hint: 'see the cause; if the state store was changed by hand, restore it' };
}

/**
 * Turns a driver or file-system failure into a SyncError with code STATE_STORE, deciding
 * transient or permanent in one place. SyncErrors pass through. The message names the store by
 * its masked URL; the driver's message is kept (drivers do not echo passwords).
 */
export function toStateStoreError(err: unknown, loc: StateStoreLocation, operation: string): SyncError {
  if (err instanceof SyncError) return err;
  redactDriverError(err);
  const inner = driverError(err);
  const code = field(inner, 'code');
  // Node system errors (ECONNREFUSED, EACCES, ENOSPC) carry their name in `code`.
  const errno = /^E[A-Z]+$/.test(code) ? code : '';
  const message = inner instanceof Error ? inner.message : String(inner);
  const v = classify(loc, code, errno, message);
  let detail = message.length > 300 ? `${message.slice(0, 300)}...` : message;
  const password = passwordOf(loc);
  if (password.length >= 4) detail = detail.split(password).join('***');
  return new SyncError('STATE_STORE', `${v.what} (${operation}): ${detail}${code ? ` [${code}]` : ''}${withTlsHint(err, 'state')}`, {
    hint: v.hint,
    transient: v.transient,
    cause: err,
  });
}
