import { ExitCode, SyncError } from '../../src/errors.js';

/** The SQLSTATEs of refusals that reconnecting cannot cure. */
const FATAL_CODES = new Set([
  '42704', // undefined_object: the slot or the publication does not exist
  '55000', // object_not_in_prerequisite_state: wal_level, slot of another database or plugin, invalidated slot
  '42501', // insufficient_privilege: no REPLICATION
  '28000', // invalid_authorization_specification: pg_hba refuses replication
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
  '58P01', // undefined_file: the WAL the slot needs was removed
]);

const BACKFILL_HINT =
  'changes since the checkpoint cannot be read any more: run `cidaas-sync backfill --restart` to resynchronise every user (it recreates the slot)';

/** The slot cannot deliver from where we stand: changes may have been lost. */
export function positionLost(message: string, cause?: unknown): SyncError {
  return new SyncError('SOURCE_POSITION_LOST', message, { hint: BACKFILL_HINT, exitCode: ExitCode.runtime, cause });
}

/**
 * Sorts a failure of the replication stream: a {@link SyncError} for a refusal that reconnecting
 * cannot cure (the slot is gone or invalidated, a missing publication or grant), null for a failure
 * worth a reconnect (server restart, lost connection, the slot still held by our previous session).
 */
export function classifyReplicationError(err: Error): SyncError | null {
  // Our own refusal (the lease is lost, see PostgresStreamOptions.beforeConnect) is final unless it says otherwise.
  if (err instanceof SyncError) return err.transient ? null : err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !FATAL_CODES.has(code)) return null;
  if (/replication slot .* does not exist|can no longer get changes from replication slot|has already been removed/i.test(err.message)) {
    return positionLost(`PostgreSQL cannot stream from the replication slot: ${err.message}`, err);
  }
  return new SyncError('SOURCE_PREFLIGHT', `PostgreSQL refused the replication stream: ${err.message}`, {
    cause: err,
    exitCode: ExitCode.preflight,
    hint: 'run `cidaas-sync check` for the missing setting, grant or publication',
  });
}
