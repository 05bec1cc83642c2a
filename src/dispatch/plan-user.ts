import type { CidaasUser } from '../cidaas/cidaas-user.js';
import type { FingerprintKey } from '../digest/fingerprint-key.js';
import type { DomainEvent } from '../observability/metrics.js';
import type { FieldFingerprints, UserState } from '../state/state-store.js';
import type { MappedUser } from '../user-mapper.js';
import { deadLetterKey } from './dead-letter-key.js';
import { plannedEvents } from './domain-events.js';
import { entityProblem, MAX_KEY_LENGTH } from './entity-limits.js';
import { planPush, userToSend, type OnRevoked } from './push-plan.js';

/** What the dispatcher does for one user whose read passed the gate and was mapped. */
export type UserPlan =
  /** Nothing to push and nothing to store: the mapping skips the user, or its delete is not to be done. */
  | { readonly kind: 'none'; readonly why: 'skipped' | 'delete-ignored' | 'never-pushed' }
  /** The user goes to the dead-letter list under `key` (a short stand-in for a key too long to store). */
  | { readonly kind: 'dead-letter'; readonly key: string; readonly reason: string }
  /** Delete (or lock, by `onDelete`) the cidaas user `sub`. */
  | { readonly kind: 'delete'; readonly sub: string }
  /** Pushed before with the same fingerprints: nothing to send. */
  | { readonly kind: 'suppress' }
  /** Push `user`; store `fingerprints` once cidaas accepts it. */
  | {
    readonly kind: 'upsert';
    readonly user: CidaasUser;
    readonly events: DomainEvent[];
    readonly fingerprints: FieldFingerprints;
    /** The key was deleted and is used again by a new user: purge the old one first. */
    readonly recreate: boolean;
  };

/** Everything {@link planUser} decides on. */
export interface UserPlanInput {
  readonly key: string;
  readonly mapped: MappedUser;
  /** The state of the last push or delete of this key (undefined: never pushed). */
  readonly state: UserState | undefined;
  /** The user is in the dead-letter list now. */
  readonly deadLettered: boolean;
  /** Push whole whatever the fingerprints say (see DispatchItem.force). */
  readonly force: boolean;
  /** The root row was deleted since the last push (see DispatchItem.rootDeleted). */
  readonly rootDeleted: boolean;
  readonly mode: 'backfill' | 'stream';
  readonly onDelete: 'purge' | 'lock' | 'ignore';
  readonly onRevoked: OnRevoked;
  /** What takes a TOTP seed away in this tenant (cidaas.compat; PlanOptions.totpOff). */
  readonly totpOff?: Pick<CidaasUser, 'mfa'>;
  /** The state store's fingerprint key. */
  readonly fingerprintKey: FingerprintKey;
}

/**
 * The per-user decision of the dispatcher, pure: the dead letter of an invalid entity or a key
 * too long for the state store, the delete policy (purge / lock / ignore × backfill / stream ×
 * tombstone), suppression of a push that would change nothing, recreation under a reused key,
 * and the domain events of a push.
 */
export function planUser(i: UserPlanInput): UserPlan {
  let mapped = i.mapped;
  if (i.key.length > MAX_KEY_LENGTH && mapped.kind !== 'skip') {
    // Never a state row for it (the store takes at most 255): only a dead letter, under a short stand-in key.
    mapped = { kind: 'invalid', sub: mapped.sub, reason: entityProblem(i.key, { sub: mapped.sub }) ?? 'key too long' };
  }
  const state = i.state;
  const live = state && !state.deleted ? state : undefined;
  switch (mapped.kind) {
    case 'skip':
      return { kind: 'none', why: 'skipped' };
    case 'invalid':
      return { kind: 'dead-letter', key: deadLetterKey(i.key), reason: mapped.reason };
    case 'delete': {
      // A backfill skips users it never pushed (soft-deleted before the sync began). The stream
      // also purges a user the state store has no push for: a push may have reached cidaas
      // just before a kill, its outcome unstored; a 404 then costs nothing. Only a stored
      // delete (a tombstone) is trusted, unless the user is forced.
      const gone = state?.deleted === true && !i.force;
      const purge = i.onDelete === 'purge' ? (live !== undefined || (i.mode === 'stream' && !gone)) : live !== undefined;
      if (i.onDelete === 'ignore') return { kind: 'none', why: 'delete-ignored' };
      if (!purge) return { kind: 'none', why: 'never-pushed' };
      return { kind: 'delete', sub: live?.sub ?? mapped.sub };
    }
    case 'upsert': {
      // The key was deleted and is used again: the old user goes first, so the new one gets
      // nothing of its password, MFA or fields (cidaas keeps what a push leaves out).
      const recreate = i.rootDeleted && live !== undefined;
      const known = recreate ? undefined : live;
      const plan = planPush(mapped.user, mapped.groups, known, { onRevoked: i.onRevoked, fingerprintKey: i.fingerprintKey, ...(i.totpOff ? { totpOff: i.totpOff } : {}) });
      if (known && plan.changed.length === 0 && !i.deadLettered && !i.force) return { kind: 'suppress' };
      const user = userToSend(plan, known !== undefined && !i.force);
      return { kind: 'upsert', user, events: plannedEvents(known !== undefined, plan.changed, plan.revoke), fingerprints: plan.fingerprints, recreate };
    }
  }
}
