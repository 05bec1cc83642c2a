import type { CidaasClient } from './cidaas/cidaas-client.js';
import type { CidaasUser } from './cidaas/cidaas-user.js';
import { isTransient, SyncError } from './errors.js';
import { retryTransientWrite } from './state/retry-transient-write.js';
import { deadLetterKey } from './dispatch/dead-letter-key.js';
import { entityProblem, MAX_KEY_LENGTH } from './dispatch/entity-limits.js';
import { planPush, userToSend, type OnRevoked } from './dispatch/push-plan.js';
import type { FieldFingerprints } from './state/state-store.js';
import type { FieldGroup } from './fingerprints.js';
import type { LegacyReader, LegacyRows } from './legacy-reader.js';
import type { Logger } from './observability/logger.js';
import type { DomainEvent, SyncMetrics } from './observability/metrics.js';
import { needsTotpEnrolment } from './cidaas/cidaas-compat.js';
import { unmetExpectations, type RowExpectation } from './row-expectation.js';
import type { OutcomeRecord, StateStore, UserState } from './state/state-store.js';
import type { MappedUser, UserMapper } from './user-mapper.js';

/** A user to push: from the dirty set (with what the log says a read must show) or from a backfill page. */
export interface DispatchItem {
  readonly key: string;
  /** The newest logged image of each changed row; empty for the backfill. */
  readonly expectations: Iterable<RowExpectation>;
  /** Earlier attempts (stale reads, transient failures). */
  readonly attempts: number;
  /**
   * Push even when the fingerprints are unchanged, all of it: cidaas may hold a push whose outcome
   * was never stored (a kill between the call and the store, a call that timed out but was applied).
   */
  readonly force?: boolean;
  /** The root row was deleted since the last push: a user found now is a new one under the same key. */
  readonly rootDeleted?: boolean;
  /** The user's rows, already read with the backfill's page: not read again (first attempt only). */
  readonly read?: LegacyRows;
}

/** What the state store holds for some users: their last pushes and their dead letters. */
export interface KnownStates {
  readonly states: ReadonlyMap<string, UserState>;
  readonly dead: ReadonlyMap<string, unknown>;
}

/** What became of one user of a batch. */
export type ItemResult =
  /** Pushed, deleted, unchanged, skipped or dead-lettered, and stored: no longer pending. */
  | { readonly status: 'done' }
  /** Not pushed now; try again after `delayMs`. */
  | { readonly status: 'retry'; readonly delayMs: number; readonly why: 'stale-read' | 'transient' };

export interface DispatcherOptions {
  readonly reader: LegacyReader;
  readonly mapper: UserMapper;
  readonly client: CidaasClient;
  readonly store: StateStore;
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  readonly onDelete: 'purge' | 'lock' | 'ignore';
  /** `password.onRevoked`: what becomes in cidaas of a pushed password that is no longer usable. */
  readonly onRevoked: OnRevoked;
  /** First delay before a read that disagreed with the log is retried; doubles per attempt. */
  readonly readRetryMs: number;
  /**
   * After this long of reads disagreeing with the log, the read is taken as newer than the log
   * (a later change on its way) and pushed. A commit becomes visible microseconds after it is
   * logged, so only a read newer than the log can keep disagreeing this long.
   */
  readonly readRetryMaxMs: number;
}

const MAX_TRANSIENT_DELAY_MS = 30_000;

function backoff(base: number, attempts: number, cap: number): number {
  return Math.min(cap, base * 2 ** Math.min(attempts, 16));
}

/** Total backoff spent after `attempts` stale reads. */
function spentOnReads(base: number, attempts: number): number {
  let total = 0;
  for (let i = 0; i < attempts; i++) total += backoff(base, i, 5000);
  return total;
}

const EVENT_OF_GROUP: Partial<Record<FieldGroup, DomainEvent>> = { email: 'email.changed', password: 'password.changed', mfa: 'mfa.changed' };

/**
 * The dispatcher (docs/architecture.md step 4): reads the current state of a batch of users from the legacy
 * database, accepts a read only where it is not older than the log, builds the cidaas users, pushes
 * those whose fingerprints changed, deletes the gone ones, and stores the outcomes. Shared by the
 * backfill and the stream.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #log: Logger;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'dispatcher' });
  }

  /**
   * A backfill page: up to `limit` users after `after` in key order, with their rows when the
   * reader reads pages whole (pass them on as {@link DispatchItem.read}), else only their keys
   * (null rows: {@link process} reads them).
   */
  async readPage(after: string | null, limit: number): Promise<Map<string, LegacyRows | null>> {
    const reader = this.#o.reader;
    if (reader.readPage) return reader.readPage(after, limit);
    return new Map((await reader.pageKeys(after, limit)).map((k) => [k, null]));
  }

  /**
   * Fetches cidaas's access token ahead of the first push. Never fails: a problem with the token
   * is the first push's to report.
   */
  async warmUp(): Promise<void> {
    await this.#o.client.tokenScopes().catch(() => undefined);
  }

  /**
   * The stored states and dead letters of `keys` in one read each: a backfill reads them for
   * several pages at once and passes them to {@link process} with the pages.
   */
  async readStates(keys: readonly string[]): Promise<KnownStates> {
    const [states, dead] = await Promise.all([this.#o.store.getUserStates(keys), this.#o.store.getDeadLetters(keys)]);
    return { states, dead };
  }

  /**
   * Processes one batch and stores its outcomes. Throws only what retrying cannot cure (the state
   * store failed, cidaas refused our credentials): the caller stops. `prior`: the items' states
   * and dead letters, read by {@link readStates} since their last outcome (else read here).
   */
  async process(items: readonly DispatchItem[], mode: 'backfill' | 'stream', prior?: KnownStates): Promise<Map<string, ItemResult>> {
    const o = this.#o;
    const results = new Map<string, ItemResult>();
    const keys = items.map((i) => i.key);
    let states: ReadonlyMap<string, UserState>;
    let dead: ReadonlyMap<string, unknown>;
    let reads: Map<string, LegacyRows>;
    try {
      const unread = items.filter((i) => i.read === undefined).map((i) => i.key);
      [reads, { states, dead }] = await Promise.all([
        unread.length ? o.reader.readUsers(unread) : new Map<string, LegacyRows>(), prior ?? this.readStates(keys),
      ]);
      for (const i of items) if (i.read !== undefined) reads.set(i.key, i.read);
    } catch (err) {
      if (err instanceof SyncError && err.code === 'STATE_STORE') throw err;
      const maxAttempts = Math.max(...items.map((i) => i.attempts));
      this.#log.warn('reading users from the legacy database failed; retrying', { error: (err as Error).message, users: items.length });
      const delayMs = backoff(250, maxAttempts, MAX_TRANSIENT_DELAY_MS);
      for (const i of items) results.set(i.key, { status: 'retry', delayMs, why: 'transient' });
      return results;
    }

    const now = new Date();
    const outcomes: OutcomeRecord[] = [];
    const upserts: { key: string; user: CidaasUser; events: DomainEvent[]; fingerprints: FieldFingerprints; recreate: boolean }[] = [];
    const deletes: { key: string; sub: string }[] = [];

    for (const item of items) {
      const read = reads.get(item.key)!;
      const unmet = unmetExpectations(read, item.expectations);
      if (unmet.length) {
        if (spentOnReads(o.readRetryMs, item.attempts) < o.readRetryMaxMs) {
          o.metrics.staleReads.inc();
          results.set(item.key, { status: 'retry', delayMs: backoff(o.readRetryMs, item.attempts, 5000), why: 'stale-read' });
          continue;
        }
        this.#log.warn('the read kept disagreeing with the log; pushing what the database returns', { key: item.key, unmet });
      }
      let mapped: MappedUser;
      try {
        mapped = await o.mapper.map(read);
      } catch (err) {
        mapped = { kind: 'invalid', sub: o.mapper.subOf(item.key), reason: `mapping failed: ${(err as Error).message}` };
      }
      if (item.key.length > MAX_KEY_LENGTH && mapped.kind !== 'skip') {
        // Never a state row for it (the store takes at most 255): only a dead letter, under a short stand-in key.
        mapped = { kind: 'invalid', sub: mapped.sub, reason: entityProblem(item.key, { sub: mapped.sub }) ?? 'key too long' };
      }
      const state = states.get(item.key);
      const live = state && !state.deleted ? state : undefined;
      switch (mapped.kind) {
        case 'skip':
          results.set(item.key, { status: 'done' });
          break;
        case 'invalid': {
          const key = deadLetterKey(item.key);
          outcomes.push({ kind: 'dead', key, reason: mapped.reason, at: now, permanent: true });
          results.set(item.key, { status: 'done' });
          // One line per new dead letter: the key and the reason, which never holds a value.
          if (!dead.has(key)) this.#log.warn('a user went to the dead-letter list', { key, reason: mapped.reason });
          break;
        }
        case 'delete': {
          // A backfill skips users it never pushed (soft-deleted before the sync began). The stream
          // also purges a user the state store has no push for: a push may have reached cidaas
          // just before a kill, its outcome unstored; a 404 then costs nothing. Only a stored
          // delete (a tombstone) is trusted, unless the user is forced.
          const gone = state?.deleted === true && !item.force;
          const purge = o.onDelete === 'purge' ? (live !== undefined || (mode === 'stream' && !gone)) : live !== undefined;
          if (o.onDelete === 'ignore' || !purge) results.set(item.key, { status: 'done' });
          else deletes.push({ key: item.key, sub: live?.sub ?? mapped.sub });
          break;
        }
        case 'upsert': {
          // The key was deleted and is used again: the old user goes first, so the new one gets
          // nothing of its password, MFA or fields (cidaas keeps what a push leaves out).
          const recreate = item.rootDeleted === true && live !== undefined;
          const known = recreate ? undefined : live;
          const plan = planPush(mapped.user, mapped.groups, known, { onRevoked: o.onRevoked, fingerprintKey: o.store.fingerprintKey() });
          if (known && plan.changed.length === 0 && !dead.has(item.key) && !item.force) {
            o.metrics.suppressed.inc();
            results.set(item.key, { status: 'done' });
            break;
          }
          const user = userToSend(plan, known !== undefined && !item.force);
          const changed = plan.changed;
          const events: DomainEvent[] = known ? ['user.updated', ...changed.flatMap((g) => EVENT_OF_GROUP[g] ?? [])] : ['user.created'];
          if (plan.revoke) events.push('password.revoked');
          upserts.push({ key: item.key, user, events, fingerprints: plan.fingerprints, recreate });
          break;
        }
      }
    }

    // A user in the dead-letter list goes alone, so that whatever broke it cannot touch the others.
    const regular = upserts.filter((u) => !dead.has(u.key) && !u.recreate);
    const alone = upserts.filter((u) => dead.has(u.key) || u.recreate);
    const calls = [regular, ...alone.map((u) => [u])].filter((b) => b.length > 0);
    const settled = await Promise.allSettled([
        ...calls.map(async (batch) => {
          for (const u of batch) {
            if (!u.recreate) continue;
            await o.client.purge(u.user.sub);
            o.metrics.domainEvents.inc({ type: 'user.deleted' });
            this.#log.info('user.deleted', { key: u.key, sub: u.user.sub, events: ['user.deleted'], reason: 'the key was deleted and used again by a new user' });
          }
          const answers = await o.client.bulkUpsert(batch.map((u) => u.user));
          batch.forEach((u, i) => {
            const a = answers[i]!;
            if (a.status === 'FAILED') {
              o.metrics.pushes.inc({ outcome: 'failed' });
              if (a.permanent) {
                outcomes.push({ kind: 'dead', key: u.key, reason: a.message ?? 'FAILED without a message', at: new Date(), permanent: true });
                results.set(u.key, { status: 'done' });
                if (!dead.has(u.key)) this.#log.warn('cidaas refused a user; it is in the dead-letter list', { key: u.key, sub: u.user.sub, reason: a.message });
              } else {
                results.set(u.key, { status: 'retry', delayMs: backoff(1000, items.find((x) => x.key === u.key)!.attempts, MAX_TRANSIENT_DELAY_MS), why: 'transient' });
              }
              return;
            }
            o.metrics.pushes.inc({ outcome: a.status === 'CREATED' ? 'created' : 'updated' });
            if (needsTotpEnrolment(u.user)) o.metrics.totpReenrol.inc();
            // cidaas is the judge of created vs updated (the state store may have been reset).
            const events = a.status === 'CREATED' ? (['user.created'] as DomainEvent[]) : u.events.filter((e) => e !== 'user.created');
            if (a.status === 'UPDATED' && !events.includes('user.updated')) events.unshift('user.updated');
            for (const e of events) o.metrics.domainEvents.inc({ type: e });
            const line = { key: u.key, sub: u.user.sub, events };
            if (mode === 'stream') this.#log.info(events[0]!, line);
            else this.#log.debug(events[0]!, line);
            // The time of cidaas's answer: verify compares it with the user's updatedTime there.
            outcomes.push({ kind: 'pushed', key: u.key, sub: u.user.sub, fingerprints: u.fingerprints, at: new Date() });
            results.set(u.key, { status: 'done' });
          });
        }),
        ...deletes.map(async (d) => {
          if (o.onDelete === 'lock') {
            const [a] = await o.client.bulkUpsert([{ sub: d.sub, userStatus: 'LOCKED' }]);
            if (a!.status === 'FAILED') {
              outcomes.push({ kind: 'dead', key: d.key, reason: `lock failed: ${a!.message ?? ''}`, at: new Date(), permanent: a!.permanent });
              results.set(d.key, { status: 'done' });
              return;
            }
          } else {
            const r = await o.client.purge(d.sub);
            o.metrics.pushes.inc({ outcome: r === 'deleted' ? 'deleted' : 'absent' });
          }
          o.metrics.domainEvents.inc({ type: 'user.deleted' });
          const line = { key: d.key, sub: d.sub, events: ['user.deleted'] };
          if (mode === 'stream') this.#log.info('user.deleted', line);
          else this.#log.debug('user.deleted', line);
          outcomes.push({ kind: 'deleted', key: d.key, sub: d.sub, at: new Date() });
          results.set(d.key, { status: 'done' });
        }),
      ]);
    // Every call has ended: what went through is recorded, whatever else failed.
    const errors = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const fatal = errors.find((e) => !isTransient(e));
    if (errors.length && !fatal) {
      const maxAttempts = Math.max(...items.map((i) => i.attempts));
      this.#log.warn('cidaas is failing; the users not pushed will be retried', { error: (errors[0] as Error).message, users: items.length });
      const delayMs = backoff(1000, maxAttempts, MAX_TRANSIENT_DELAY_MS);
      for (const i of items) if (!results.has(i.key)) results.set(i.key, { status: 'retry', delayMs, why: 'transient' });
    }
    // A dead-lettered user now skipped by the mapping, or gone before it was ever pushed, needs no
    // push and no outcome: it is simply no longer refused.
    const settledAlone = new Set(outcomes.map((x) => x.key));
    const cleared = [...dead.keys()].filter((k) => results.get(k)?.status === 'done' && !settledAlone.has(k));
    // What cidaas now holds must be stored before these users leave flight: a state store locked
    // or restarting for a while is waited for (bounded), not taken for a reason to stop.
    if (outcomes.length) await retryTransientWrite(() => o.store.recordOutcomes(outcomes), { log: this.#log, what: `the outcomes of ${outcomes.length} users` });
    if (cleared.length) await retryTransientWrite(() => o.store.removeDeadLetters(cleared), { log: this.#log, what: 'the dead letters cleared' });
    if (fatal) throw fatal;
    for (const i of items) if (!results.has(i.key)) results.set(i.key, { status: 'done' });
    return results;
  }
}
