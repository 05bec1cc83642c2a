import pg from 'pg';
import { ExitCode, SyncError } from '../../src/errors.js';
import { quoteIdent } from './postgres-identifiers.js';

/**
 * Failover slots (`source.failoverSlot`). From PostgreSQL 17 a logical slot created with FAILOVER
 * is copied to a standby that runs with `sync_replication_slots = on`, so after the standby is
 * promoted the sidecar streams on from its confirmed position. Before 17 a slot lives on its
 * primary only: a promotion loses it, and pg_create_logical_replication_slot has no failover
 * argument (its fifth parameter came with 17).
 */
export const FAILOVER_SLOT_MIN_VERSION_NUM = 170000;

/** The SQL that creates our slot: `$1` is its name. */
export function createSlotSql(failover: boolean): string {
  // (slot_name, plugin, temporary, twophase, failover): two-phase stays off, see postgres-source.ts.
  return failover
    ? "SELECT pg_create_logical_replication_slot($1, 'pgoutput', false, false, true)"
    : "SELECT pg_create_logical_replication_slot($1, 'pgoutput')";
}

/** The same as a statement to show a DBA (`check`). */
export function createSlotStatement(slot: string, failover: boolean): string {
  const name = `'${slot.replace(/'/g, "''")}'`;
  return failover
    ? `SELECT pg_create_logical_replication_slot(${name}, 'pgoutput', false, false, true);`
    : `SELECT pg_create_logical_replication_slot(${name}, 'pgoutput');`;
}

/** Why `source.failoverSlot: true` cannot work on this server, or null when it can. */
export function failoverSlotRefusal(version: string, versionNum: number): string | null {
  if (versionNum >= FAILOVER_SLOT_MIN_VERSION_NUM) return null;
  return `source.failoverSlot needs PostgreSQL 17 or later; ${version} has no failover slots: its slot exists on the primary only ` +
    'and is gone after a standby is promoted';
}

/** What to do instead on a server too old for failover slots. */
export const FAILOVER_SLOT_UNSUPPORTED_HINT =
  'upgrade to PostgreSQL 17 or later, or set source.failoverSlot: false (after a promotion, recreate the slot on the new ' +
  'primary and run `cidaas-sync backfill --restart`)';

/** The {@link SyncError} for a server too old for failover slots. */
export function failoverSlotUnsupported(version: string, versionNum: number): SyncError | null {
  const reason = failoverSlotRefusal(version, versionNum);
  return reason ? new SyncError('SOURCE_PREFLIGHT', reason, { hint: FAILOVER_SLOT_UNSUPPORTED_HINT, exitCode: ExitCode.preflight }) : null;
}

/**
 * What a standby needs so that our failover slot is synchronized to it and usable after its
 * promotion (PostgreSQL 17 "Logical Replication Failover").
 */
export function standbySettings(database: string): string {
  return 'on each standby that may be promoted: sync_replication_slots = on, hot_standby_feedback = on, ' +
    "primary_slot_name = '<its physical slot on the primary>', wal_level = logical, and " +
    `primary_conninfo naming the database (dbname=${database}); on the primary: synchronized_standby_slots ` +
    "(standby_slot_names in PostgreSQL 17's betas) = '<those physical slots>', so no change reaches cidaas-sync before the standby has it";
}

/**
 * Turns FAILOVER on for an existing slot (`ALTER_REPLICATION_SLOT`, a replication command of
 * PostgreSQL 17+ that needs a replication connection and the slot not in use).
 */
export async function enableFailover(connectionString: string, slot: string): Promise<void> {
  // `replication` is a node-postgres option its type definitions lack (pg-logical-replication sets it too).
  const config: pg.ClientConfig & { replication: string } = {
    connectionString, replication: 'database', connectionTimeoutMillis: 10_000, application_name: 'cidaas-sync-prepare',
  };
  const c = new pg.Client(config);
  c.on('error', () => undefined);
  await c.connect();
  try {
    await c.query(`ALTER_REPLICATION_SLOT ${quoteIdent(slot)} ( FAILOVER true )`);
  } finally {
    await c.end().catch(() => undefined);
  }
}
