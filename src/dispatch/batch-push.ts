import type { CidaasClient } from '../cidaas/cidaas-client.js';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { needsTotpEnrolment, type AfterUpdate } from '../cidaas/cidaas-compat.js';
import type { CidaasUserIdentity } from '../cidaas/user-identities.js';
import type { Logger } from '../observability/logger.js';
import type { DomainEvent, SyncMetrics } from '../observability/metrics.js';
import type { FieldFingerprints, OutcomeRecord } from '../state/state-store.js';
import { confirmedEvents } from './domain-events.js';
import type { ItemResult } from './dispatcher.js';
import type { RetrySchedule } from './retry-schedule.js';
import { afterUpdateReadBack } from './stale-memberships.js';

/** A user to send to cidaas (an `upsert` plan of {@link planUser}). */
export interface PlannedUpsert {
  readonly key: string;
  readonly user: CidaasUser;
  readonly events: DomainEvent[];
  readonly fingerprints: FieldFingerprints;
  readonly recreate: boolean;
  /** Earlier attempts of this user, for the retry delay. */
  readonly attempts: number;
  /** In the dead-letter list now: pushed alone. */
  readonly deadLettered: boolean;
}

/** A user to delete (or lock) in cidaas. */
export interface PlannedDelete {
  readonly key: string;
  readonly sub: string;
}

export interface BatchPushOptions {
  readonly client: CidaasClient;
  readonly metrics: SyncMetrics;
  readonly onDelete: 'purge' | 'lock' | 'ignore';
  readonly schedule: RetrySchedule;
  /** What an updated user is read back for: memberships to remove, social links that stay ({@link afterUpdateReadBack}). */
  readonly afterUpdate?: AfterUpdate;
  /** `cidaas.compat.totpRemoval: unsupported` (keepsRemovedTotp): a TOTP removal pushed leaves the seed in cidaas; warn and count it. */
  readonly keepsRemovedTotp?: boolean;
}

/**
 * The cidaas calls of one batch: one bulk upsert for the regular users, one call each for a user in
 * the dead-letter list or one recreated under a reused key (whatever broke it cannot touch the
 * others), and one purge or lock per delete, all at once. Every answer becomes an outcome and a
 * result; a call that throws leaves its users without a result and its error in `errors`.
 */
export class BatchPush {
  readonly #o: BatchPushOptions;
  readonly #log: Logger;

  constructor(options: BatchPushOptions, log: Logger) {
    this.#o = options;
    this.#log = log;
  }

  /** Runs every call; adds to `outcomes` and `results`; resolves with the errors once every call has ended. */
  async push(upserts: readonly PlannedUpsert[], deletes: readonly PlannedDelete[],
    outcomes: OutcomeRecord[], results: Map<string, ItemResult>): Promise<unknown[]> {
    const regular = upserts.filter((u) => !u.deadLettered && !u.recreate);
    const alone = upserts.filter((u) => u.deadLettered || u.recreate);
    const calls = [regular, ...alone.map((u) => [u])].filter((b) => b.length > 0);
    const settled = await Promise.allSettled([
      ...calls.map((batch) => this.#upsert(batch, outcomes, results)),
      ...deletes.map((d) => this.#delete(d, outcomes, results)),
    ]);
    return settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  }

  async #upsert(batch: readonly PlannedUpsert[], outcomes: OutcomeRecord[], results: Map<string, ItemResult>): Promise<void> {
    const o = this.#o;
    for (const u of batch) {
      if (!u.recreate) continue;
      await o.client.purge(u.user.sub);
      o.metrics.domainEvents.inc({ type: 'user.deleted' });
      this.#log.info('user.deleted', { key: u.key, sub: u.user.sub, events: ['user.deleted'], reason: 'the key was deleted and used again by a new user' });
    }
    const answers = await o.client.bulkUpsert(batch.map((u) => u.user));
    // A tenant that keeps what a list leaves out: the memberships removed in legacy go one by one
    // before the outcome is stored; the social links it keeps are reported (nothing removes them).
    const after = o.afterUpdate;
    const trimmed = after && (after.groups !== 'never' || after.identities)
      ? await Promise.allSettled(batch.map((u, i) => (answers[i]!.status === 'UPDATED' ? afterUpdateReadBack(o.client, u.user, after) : Promise.resolve(undefined))))
      : undefined;
    batch.forEach((u, i) => {
      const a = answers[i]!;
      const trim = trimmed?.[i];
      if (trim?.status === 'rejected') {
        this.#log.warn('removing a membership removed in legacy failed; the user is pushed again', { key: u.key, sub: u.user.sub, error: String((trim.reason as Error)?.message ?? trim.reason) });
        results.set(u.key, { status: 'retry', delayMs: o.schedule.pushFailed(u.attempts), why: 'transient' });
        return;
      }
      if (a.status === 'FAILED') {
        o.metrics.pushes.inc({ outcome: 'failed' });
        if (a.permanent) {
          outcomes.push({ kind: 'dead', key: u.key, reason: a.message ?? 'FAILED without a message', at: new Date(), permanent: true });
          results.set(u.key, { status: 'done' });
          if (!u.deadLettered) this.#log.warn('cidaas refused a user; it is in the dead-letter list', { key: u.key, sub: u.user.sub, reason: a.message });
        } else {
          results.set(u.key, { status: 'retry', delayMs: o.schedule.pushFailed(u.attempts), why: 'transient' });
        }
        return;
      }
      o.metrics.pushes.inc({ outcome: a.status === 'CREATED' ? 'created' : 'updated' });
      if (trim?.status === 'fulfilled' && trim.value) this.#reportStranded(u, trim.value.strandedIdentities);
      if (needsTotpEnrolment(u.user)) o.metrics.totpReenrol.inc();
      if (o.keepsRemovedTotp && a.status === 'UPDATED' && u.user.mfa_enabled === false && u.events.includes('mfa.changed')) {
        // Once per removal: the change is pushed once, then its fingerprint suppresses it.
        o.metrics.strandedTotp.inc();
        this.#log.warn('the TOTP authenticator removed in legacy still works in cidaas (cidaas.compat.totpRemoval: unsupported): an admin must reset this user\'s MFA in cidaas; verify lists these users',
          { key: u.key, sub: u.user.sub });
      }
      const events = confirmedEvents(u.events, a.status);
      for (const e of events) o.metrics.domainEvents.inc({ type: e });
      // A line per push at debug level only (its CPU adds up at thousands a second): the stream
      // logs a summary at info level instead (PushSummary).
      this.#log.debug(events[0]!, { key: u.key, sub: u.user.sub, events });
      // The time of cidaas's answer: verify compares it with the user's updatedTime there.
      outcomes.push({ kind: 'pushed', key: u.key, sub: u.user.sub, fingerprints: u.fingerprints, at: new Date() });
      results.set(u.key, { status: 'done', pushed: true });
    });
  }

  /**
   * `cidaas.compat.identities: add`: the links cidaas kept that legacy no longer has. One warning per
   * user and push (key, sub, providers; never the ids at the provider), one count per link.
   */
  #reportStranded(u: PlannedUpsert, stranded: readonly CidaasUserIdentity[]): void {
    if (stranded.length === 0) return;
    const providers = [...new Set(stranded.map((i) => i.provider))];
    for (const i of stranded) this.#o.metrics.strandedIdentities.inc({ provider: i.provider });
    // Most often unlinked in legacy; a link made in cidaas alone (after go-live, say) reads the same.
    this.#log.warn('a social login linked in cidaas is not in legacy and stays (cidaas.compat.identities is add, and no call removes one link): if it was unlinked in legacy, unlink it in the cidaas admin UI', {
      key: u.key, sub: u.user.sub, providers,
    });
  }

  async #delete(d: PlannedDelete, outcomes: OutcomeRecord[], results: Map<string, ItemResult>): Promise<void> {
    const o = this.#o;
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
    this.#log.debug('user.deleted', { key: d.key, sub: d.sub, events: ['user.deleted'] });
    outcomes.push({ kind: 'deleted', key: d.key, sub: d.sub, at: new Date() });
    results.set(d.key, { status: 'done', pushed: true });
  }
}
