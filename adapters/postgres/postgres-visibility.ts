import type pg from 'pg';
import type { Logger } from '../../src/observability/logger.js';

/**
 * Waits (bounded) until every transaction running at the moment of the call is visible to, or gone
 * from, new snapshots.
 *
 * A committing backend writes its commit record and marks the commit log before it leaves the proc
 * array; with synchronous replication it even waits for the standby in between. A WAL position read
 * at that moment lies after a commit that reads do not see yet. Called after reading the position:
 * every transaction whose commit record lies before it is either visible already or in the snapshot
 * taken here, and waiting until a fresh snapshot no longer lists it as running makes it visible.
 * Transactions still running at the deadline are taken to commit after the position (logged).
 */
export async function waitForVisibility(client: pg.Client, log: Logger, timeoutMs = 5_000, pollMs = 20): Promise<void> {
  // A statement of its own: its snapshot is taken after the position was read.
  const snap = (await client.query<{ snap: string }>('SELECT pg_current_snapshot()::text AS snap')).rows[0]!.snap;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await client.query<{ running: string[] | null }>(
      `SELECT array_agg(x::text) AS running
         FROM pg_snapshot_xip($1::pg_snapshot) x
        WHERE NOT pg_visible_in_snapshot(x, pg_current_snapshot())`, [snap]);
    const running = r.rows[0]?.running ?? null;
    if (!running || running.length === 0) return;
    if (Date.now() >= deadline) {
      log.warn('transactions still running after the wait for visibility; taking them to commit after the position', { xids: running, waitedMs: timeoutMs });
      return;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, pollMs));
  }
}
