import type pg from 'pg';
import type { PostgresSourceConfig } from '../../config/config-schema.js';
import { fail, pass, warn, type PreflightItem } from '../../src/preflight/preflight-item.js';
import { FAILOVER_SLOT_UNSUPPORTED_HINT, failoverSlotRefusal, standbySettings } from './failover-slot.js';

/** The server facts the failover items need. */
interface VersionFacts {
  readonly version: string;
  readonly versionNum: number;
}

/**
 * `check` with `source.failoverSlot: true`: refused before PostgreSQL 17; from 17 on, whether our
 * slot has FAILOVER (`run` turns it on), whether the primary holds logical decoding back for a
 * standby (synchronized_standby_slots), and what each standby must set. Nothing when the setting is off.
 */
export async function failoverSlotItems(c: pg.Client, s: Pick<PostgresSourceConfig, 'slot' | 'failoverSlot'>, f: VersionFacts, slotExists: boolean): Promise<PreflightItem[]> {
  if (!s.failoverSlot) return [];
  const name = 'source.failoverSlot';
  const refusal = failoverSlotRefusal(f.version, f.versionNum);
  if (refusal) return [fail(name, refusal, FAILOVER_SLOT_UNSUPPORTED_HINT)];
  const items: PreflightItem[] = [];
  const r = await c.query<{ failover: boolean | null; physical: string[]; standby_slots: string; db: string }>(
    `SELECT (SELECT failover FROM pg_replication_slots WHERE slot_name = $1) AS failover,
            ARRAY(SELECT slot_name::text FROM pg_replication_slots WHERE slot_type = 'physical' ORDER BY 1) AS physical,
            current_setting('synchronized_standby_slots') AS standby_slots, current_database() AS db`, [s.slot]);
  const row = r.rows[0]!;
  items.push(!slotExists
    ? pass(`failover slot ${s.slot}`, 'created with FAILOVER on first start (or by `check --fix`)')
    : row.failover === true
      ? pass(`failover slot ${s.slot}`, 'has FAILOVER: standbys with sync_replication_slots = on keep a copy')
      : warn(`failover slot ${s.slot}`, 'exists without FAILOVER: `run` turns it on at its next start (the slot must not be in use then)',
        `or now, on a replication connection: ALTER_REPLICATION_SLOT ${s.slot} ( FAILOVER true );`));
  const physical = row.physical.length ? row.physical.join(', ') : 'none yet';
  items.push(row.standby_slots.trim()
    ? pass('synchronized_standby_slots', `${row.standby_slots}: changes reach cidaas-sync only after these standbys have them (physical slots: ${physical})`)
    : warn('synchronized_standby_slots', `empty: cidaas-sync may receive a change a standby does not have yet, and a promoted standby's slot could then be behind what cidaas already got (physical slots: ${physical})`,
      "as a superuser on the primary: ALTER SYSTEM SET synchronized_standby_slots = '<physical slot of each standby>'; SELECT pg_reload_conf();"));
  items.push(pass('standby settings for failover', standbySettings(row.db)));
  return items;
}
