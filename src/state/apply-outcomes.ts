import type { EntityManager } from 'typeorm';
import { SyncError } from '../errors.js';
import type { DeadLetterRow } from './entities/dead-letter-entity.js';
import type { UserStateRow } from './entities/user-state-entity.js';
import { assertFingerprints } from './fingerprint-guard.js';
import { StateHotPath } from './state-hot-path.js';
import { checkDate, checkKey, checkPosition, chunks, clipReason } from './state-input-checks.js';
import type { OutcomeRecord } from './state-store.js';

/** Keys per IN list and rows per multi-row insert: well under SQLite's 32766, PostgreSQL's and MySQL's 65535 parameters. */
export const CHUNK = 500;
const ROWS_PER_INSERT = 100;

/** The id of the one checkpoint row. */
export const CHECKPOINT_ID = 'main';


/** Loads the dead letters of `keys` that exist. */
export async function loadDeadLetters(m: EntityManager, keys: readonly string[]): Promise<Map<string, DeadLetterRow>> {
  const out = new Map<string, DeadLetterRow>();
  const sql = StateHotPath.of(m);
  for (const part of chunks([...new Set(keys)], CHUNK)) {
    for (const row of await sql.deadLetters(m, part)) out.set(row.key, row);
  }
  return out;
}

/** Inserts or updates the checkpoint row. */
export async function upsertCheckpoint(m: EntityManager, position: string): Promise<void> {
  await StateHotPath.of(m).upsertCheckpoint(m, CHECKPOINT_ID, checkPosition(position), new Date());
}

/**
 * Applies a batch's outcomes (and the checkpoint) with the manager of an open transaction.
 * Outcomes are folded in order first (later ones for a key win; dead letters count every
 * failure), then written table by table: user states, cleared dead letters, dead letters,
 * checkpoint. Any throw leaves the caller to roll back.
 */
export async function applyOutcomes(m: EntityManager, outcomes: readonly OutcomeRecord[], checkpoint?: string): Promise<void> {
  const stored = await loadDeadLetters(m, outcomes.filter((o) => o.kind === 'dead').map((o) => o.key));
  const users = new Map<string, UserStateRow>();
  // null: the batch clears this key's dead letter.
  const dead = new Map<string, DeadLetterRow | null>();
  for (const o of outcomes) {
    const key = checkKey(o.key);
    // The message only when it is needed: this runs for every user stored.
    const at = o.at instanceof Date && !Number.isNaN(o.at.getTime()) ? o.at : checkDate(o.at, `the outcome time of user ${JSON.stringify(key)}`);
    if (o.kind === 'pushed') {
      assertFingerprints(key, o.fingerprints);
      const fp = o.fingerprints;
      users.set(key, {
        key, sub: checkKey(o.sub, 'cidaas sub'), lastPushAt: at, deleted: false,
        fpProfile: fp.profile ?? null, fpEmail: fp.email ?? null, fpPassword: fp.password ?? null, fpMfa: fp.mfa ?? null,
      });
      dead.set(key, null);
    } else if (o.kind === 'deleted') {
      users.set(key, {
        key, sub: checkKey(o.sub, 'cidaas sub'), lastPushAt: at, deleted: true,
        fpProfile: null, fpEmail: null, fpPassword: null, fpMfa: null,
      });
      dead.set(key, null);
    } else if (o.kind === 'dead') {
      const prev = dead.has(key) ? dead.get(key) : stored.get(key);
      dead.set(key, {
        key,
        reason: clipReason(o.reason),
        attempts: (prev?.attempts ?? 0) + 1,
        firstSeen: prev?.firstSeen ?? at,
        lastSeen: at,
        permanent: o.permanent === true,
      });
    } else {
      throw new SyncError('STATE_STORE', `refusing an outcome of unknown kind ${JSON.stringify((o as { kind?: unknown }).kind)}`);
    }
  }

  // Plain SQL (state-hot-path.ts): a backfill runs these for every user.
  const sql = StateHotPath.of(m);
  for (const part of chunks([...users.values()], ROWS_PER_INSERT)) await sql.upsertUserStates(m, part);
  const cleared = [...dead].filter(([, row]) => row === null).map(([key]) => key);
  for (const part of chunks(cleared, CHUNK)) await sql.deleteDeadLetters(m, part);
  const letters = [...dead.values()].filter((row): row is DeadLetterRow => row !== null);
  for (const part of chunks(letters, ROWS_PER_INSERT)) await sql.upsertDeadLetters(m, part);
  if (checkpoint !== undefined) await upsertCheckpoint(m, checkpoint);
}
