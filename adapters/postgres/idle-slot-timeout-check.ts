import type pg from 'pg';
import { pass, warn, type PreflightItem } from '../../src/preflight/preflight-item.js';

/**
 * PostgreSQL 18's `idle_replication_slot_timeout`: a slot no session has used for that long is
 * invalidated (reason `idle_timeout`), its WAL released, and cidaas-sync cannot resume from it:
 * a sidecar stopped longer than that needs a new slot and `backfill --restart`. Nothing before 18.
 */
export async function idleSlotTimeoutItems(c: pg.Client, versionNum: number): Promise<PreflightItem[]> {
  if (versionNum < 180000) return [];
  const r = await c.query<{ s: string }>("SELECT setting AS s FROM pg_settings WHERE name = 'idle_replication_slot_timeout'");
  const seconds = Number(r.rows[0]?.s ?? 0);
  const name = 'idle_replication_slot_timeout';
  if (seconds === 0) return [pass(name, 'off: a stopped sidecar keeps its slot (watch the WAL it retains)')];
  return [warn(name, `${describe(seconds)}: a sidecar stopped longer than that loses its slot (invalidated as idle) and must backfill again`,
    `keep every stop shorter, or as a superuser: ALTER SYSTEM SET idle_replication_slot_timeout = 0; SELECT pg_reload_conf();`)];
}

function describe(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
