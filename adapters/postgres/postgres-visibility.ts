import type pg from 'pg';
import type { Logger } from '../../src/observability/logger.js';

/**
 * Waits (bounded) until every transaction that holds a transaction id at the moment of the call has
 * left the proc array, and so is visible to (or, aborted, gone from) every snapshot taken afterwards.
 *
 * A committing backend writes its commit record and marks the commit log before it leaves the proc
 * array; with synchronous replication it even waits for the standby in between. A WAL position read
 * at that moment lies after a commit that reads do not see yet. Called after reading the position:
 * every transaction whose commit record lies before it has either left the proc array already or is
 * listed here. `pg_stat_activity.backend_xid` comes from the proc array itself; a snapshot's running
 * list would not do, since it leaves out ids at or above its xmax, and the newest committing
 * transaction is exactly such a one until it has left.
 *
 * Transactions still running at the deadline are taken to commit after the position (logged).
 */
export async function waitForVisibility(client: pg.Client, log: Logger, timeoutMs = 5_000, pollMs = 20): Promise<void> {
  const held = await client.query<{ xids: string[] | null }>(
    'SELECT array_agg(DISTINCT backend_xid::text) AS xids FROM pg_stat_activity WHERE backend_xid IS NOT NULL');
  const xids = held.rows[0]?.xids ?? null;
  if (!xids || xids.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, pollMs));
    const r = await client.query<{ running: string[] | null }>(
      'SELECT array_agg(DISTINCT backend_xid::text) AS running FROM pg_stat_activity WHERE backend_xid::text = ANY($1::text[])', [xids]);
    const running = r.rows[0]?.running ?? null;
    if (!running || running.length === 0) return;
    if (Date.now() >= deadline) {
      log.warn('transactions still running after the wait for visibility; taking them to commit after the position', { xids: running, waitedMs: timeoutMs });
      return;
    }
  }
}
