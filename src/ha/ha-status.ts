import type { Config } from '../../config/config-schema.js';
import type { LeaseRow } from './lease-backend.js';
import { leaseBackendFor } from './open-lease-keeper.js';

/** What `status` shows about the lease when `ha.enabled`. */
export interface HaStatus {
  /** `held`: a replica is active; `expired`: its lease ran out (a standby takes over); `free`: nobody holds it. */
  readonly lease: 'held' | 'expired' | 'free' | 'unknown';
  /** The active replica (`host/pid/suffix`), its host and pid; null when nobody holds the lease. */
  readonly holder: string | null;
  readonly host: string | null;
  readonly pid: number | null;
  /** Seconds since the holder took the lease. */
  readonly leaseAgeSeconds: number | null;
  /** Seconds since the last renewal (null on SQLite: a file lock needs none). */
  readonly renewedSecondsAgo: number | null;
  /** The fencing token of the holder (it grows with every new holder). */
  readonly token: string | null;
  readonly error?: string;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);

function fromRow(row: LeaseRow | null): HaStatus {
  if (!row) return { lease: 'free', holder: null, host: null, pid: null, leaseAgeSeconds: null, renewedSecondsAgo: null, token: null };
  const lease = row.holder === null ? 'free' : row.expiresInMs !== null && row.expiresInMs < 0 ? 'expired' : 'held';
  return {
    lease, holder: row.holder, host: row.host, pid: row.pid, leaseAgeSeconds: seconds(row.ageMs), renewedSecondsAgo: seconds(row.renewedMsAgo),
    token: row.token === '0' ? null : row.token,
  };
}

/** Reads the lease for `status` (one short connection of its own). */
export async function collectHaStatus(config: Config): Promise<HaStatus> {
  let backend;
  try {
    backend = leaseBackendFor(config);
    return fromRow(await backend.read());
  } catch (err) {
    return { lease: 'unknown', holder: null, host: null, pid: null, leaseAgeSeconds: null, renewedSecondsAgo: null, token: null, error: (err as Error).message };
  } finally {
    await backend?.close().catch(() => undefined);
  }
}

/** The `status` table rows of the lease. */
export function haStatusRows(h: HaStatus): string[][] {
  if (h.lease === 'unknown') return [['ha', `lease unknown: ${h.error ?? 'unreadable'}`]];
  if (h.lease === 'free' || h.holder === null) return [['ha', `no replica holds the lease${h.token ? ` (last token ${h.token})` : ''}: the next one to start or poll takes it`]];
  const age = h.leaseAgeSeconds === null ? '' : `, held for ${h.leaseAgeSeconds} s`;
  const renewed = h.renewedSecondsAgo === null ? '' : `, renewed ${h.renewedSecondsAgo} s ago`;
  return [
    ['ha role', h.lease === 'expired' ? 'the active replica stopped renewing: a standby takes over now' : 'one replica active, any others standby (their /readyz and /metrics say role)'],
    ['ha holder', `${h.holder} (host ${h.host ?? '?'}, pid ${h.pid ?? '?'})${age}${renewed}, fencing token ${h.token ?? '?'}`],
  ];
}
