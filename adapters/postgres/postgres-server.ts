import pg from 'pg';
import type { Secret } from '../../src/secret.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';

/** Who holds the replication slot now, if anyone: the process id and application of its walsender. */
export async function slotHolder(url: Secret, slot: string): Promise<{ pid: number; application: string | null } | null> {
  const c = new pg.Client({ ...pgConnectionConfig(url), connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const r = await c.query<{ pid: number | null; app: string | null }>(
      `SELECT s.active_pid AS pid, a.application_name AS app
         FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
        WHERE s.slot_name = $1`, [slot]);
    const row = r.rows[0];
    return row?.pid ? { pid: row.pid, application: row.app } : null;
  } finally {
    await c.end();
  }
}

/** Drops the replication slot so the server keeps no more WAL for it. True when it existed. */
export async function dropReplicationSlot(url: Secret, slot: string): Promise<boolean> {
  const c = new pg.Client({ ...pgConnectionConfig(url), connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const r = await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return (r.rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}
