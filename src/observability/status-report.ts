import type { SourceLag } from '../source.js';
import { countDeadLettersByKind, type DeadLetterKind } from './dead-letter-reasons.js';
import type { BackfillProgress, StateStore } from '../state/state-store.js';
import { META } from '../state/meta-keys.js';

/** The meta key a running sidecar keeps its pending-user count in: JSON `{"users": n, "at": iso}` or a bare number. */
export const PENDING_META = META.statusPending;

/** What `status --json` prints, and what the status page shows. */
export interface StatusReport {
  /** The state store as named in messages, and whether it exists yet. */
  store: { location: string; exists: boolean };
  checkpoint: { position: string; updatedAt: string } | null;
  backfill: (Omit<BackfillProgress, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string | null }) | null;
  users: { live: number; deleted: number } | null;
  deadLetters: number | null;
  /** Dead letters by kind of reason (see dead-letter-reasons.ts); absent before the store exists. */
  deadLettersByReason?: Partial<Record<DeadLetterKind, number>>;
  lastPushAt: string | null;
  /** Dirty or in-flight users as the running sidecar last wrote them, or null when unknown. */
  pendingUsers: { users: number; at: string | null } | null;
  source: {
    reachable: boolean;
    error?: string;
    lagBytes: number | null;
    /** Seconds since the checkpoint moved, while there is lag: an approximation of the lag in time. */
    lagSecondsApprox: number | null;
    retainedBytes: number | null;
  };
}

/** The part of {@link StatusReport} kept in the state store. */
export type StoredStatus = Pick<StatusReport, 'checkpoint' | 'backfill' | 'users' | 'deadLetters' | 'deadLettersByReason' | 'lastPushAt' | 'pendingUsers'>;

function parsePending(raw: string | null): StatusReport['pendingUsers'] {
  if (raw === null) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'number') return { users: v, at: null };
    if (v && typeof v === 'object' && typeof (v as { users?: unknown }).users === 'number') {
      const at = (v as { at?: unknown }).at;
      return { users: (v as { users: number }).users, at: typeof at === 'string' ? at : null };
    }
  } catch {
    // A value the runner did not write in this format: report unknown.
  }
  return null;
}

/** Reads what the state store knows for a status report. */
export async function readStoredStatus(store: StateStore): Promise<StoredStatus> {
  const [cp, b, users, dead, last, pending, byReason] = await Promise.all([
    store.getCheckpoint(), store.getBackfill(), store.countUsers(), store.countDeadLetters(), store.lastPushAt(), store.getMeta(PENDING_META),
    countDeadLettersByKind(store),
  ]);
  return {
    checkpoint: cp && { position: cp.position, updatedAt: cp.updatedAt.toISOString() },
    backfill: b && { ...b, startedAt: b.startedAt.toISOString(), finishedAt: b.finishedAt?.toISOString() ?? null },
    users, deadLetters: dead, deadLettersByReason: byReason, lastPushAt: last?.toISOString() ?? null, pendingUsers: parsePending(pending),
  };
}

/** Puts a status report together from the stored part and the source's answer (or its error). */
export function assembleStatus(location: string, stored: StoredStatus | null, lag: SourceLag | null, error: string | undefined, now = Date.now()): StatusReport {
  const cp = stored?.checkpoint ?? null;
  const lagBytes = lag?.bytes ?? null;
  return {
    store: { location, exists: stored !== null },
    ...(stored ?? { checkpoint: null, backfill: null, users: null, deadLetters: null, lastPushAt: null, pendingUsers: null }),
    source: {
      reachable: lag !== null, ...(error ? { error } : {}), lagBytes, retainedBytes: lag?.retainedBytes ?? null,
      lagSecondsApprox: cp && lagBytes !== null ? (lagBytes > 0 ? Math.max(0, Math.round((now - Date.parse(cp.updatedAt)) / 1000)) : 0) : null,
    },
  };
}
