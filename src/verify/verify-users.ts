import type { CidaasClient } from '../cidaas/cidaas-client.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { OnRevoked } from '../dispatch/push-plan.js';
import type { StateStore } from '../state/state-store.js';
import type { UserMapper } from '../user-mapper.js';
import { assertPageAdvanced } from '../legacy-key.js';
import { checkUsers, UNREADABLE_KEY_REASON, type CheckContext, type OnDeleteMode } from './check-users.js';
import { CidaasUserLookup, type CidaasReadMode } from './cidaas-user-lookup.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { NO_OWNED_FIELDS, type OwnedFields } from './owned-fields.js';
import { retryPage, type PageRetryOptions } from './retry-page.js';
import { sampleKeys } from './sample-keys.js';
import { VerifyFindings, type UserVerdict } from './verify-findings.js';
import type { VerifyReport } from './verify-report.js';

/** What {@link verifyUsers} compares and how. */
export interface VerifyUsersOptions {
  readonly reader: LegacyReader;
  /** The push's own mapper, so that verify and the push can never disagree. */
  readonly mapper: UserMapper;
  /** Needs scope cidaas:users_read (and users_search for the search mode). Give it `connections` >= `concurrency`. */
  readonly client: CidaasClient;
  readonly store: StateStore;
  readonly logger: Logger;
  /** cidaas calls in flight at once. Default 16. */
  readonly concurrency?: number;
  /** Legacy users per page. Default 1000. */
  readonly pageSize?: number;
  /** Check a uniform random sample of this many legacy users instead of all. */
  readonly sample?: number;
  /** Called after every page: users checked so far, and the total (an estimate in a full run) when known. */
  readonly onProgress?: (done: number, total: number | null) => void;
  /** Set `aborted` to stop after the pages in flight; the report then says `complete: false`. */
  readonly signal?: { readonly aborted: boolean };
  /** What the configuration maps (`ownedFieldsOf(config)`); default: only what each mapped user carries. */
  readonly ownedFields?: OwnedFields;
  /** `cidaas.onDelete`: purge (deleted users must be absent), lock (absent or LOCKED), ignore (not checked). Default purge. */
  readonly onDelete?: OnDeleteMode;
  /** `password.onRevoked`, as the push uses it. Default scramble. */
  readonly onRevoked?: OnRevoked;
  /** Read cidaas by search (default) or by GET per user. */
  readonly cidaasRead?: CidaasReadMode;
  /** Subs per search call, 1..1000. Default 500. */
  readonly searchSize?: number;
  /** `updatedTime` may be this much later than the recorded push before it counts as modified in cidaas. Default 30 s. */
  readonly clockSkewMs?: number;
  /** Most entries per list in the report. Default 1000. */
  readonly listCap?: number;
  /** Check every finding again at the end (fresh reads, GET by sub) and keep only the confirmed ones. Default true. */
  readonly recheck?: boolean;
  /** Attempts per page on transient failures. Default 3. */
  readonly pageAttempts?: number;
  /** Wait before repeating a page: this times the attempt number. Default 1000 ms. */
  readonly pageRetryDelayMs?: number;
  /** Random numbers in [0, 1) for the sample. Default Math.random. */
  readonly random?: () => number;
}

/** Findings at most kept (and so rechecked) in memory; past this the first pass's findings stand. */
const RECHECK_LIMIT = 10_000;
/** Pages judged at once: the next pages' legacy and state reads overlap this page's cidaas reads. */
const PAGES_IN_FLIGHT = 3;

/**
 * `cidaas-sync verify`: compares every live legacy user (or a sample) with cidaas and says
 * what differs. Read-only on all sides.
 *
 * 1. Walks the users table in key order in pages; each page is read as the push reads it,
 *    mapped with the push's mapper, and compared with the stored state and the cidaas users
 *    (see {@link checkUsers} and `compareUser`). With `sample`, the keys are sampled first.
 * 2. Walks the state store: users it knows whose legacy row is gone (hard-deleted) must be
 *    absent from cidaas too. In a sample run, the same fraction of them is checked.
 * 3. Rechecks each finding once with fresh reads, so that a user the running sidecar pushed
 *    while verify looked is not reported.
 * 4. Lists the dead letters. Any finding or dead letter makes `equal` false.
 */
export async function verifyUsers(o: VerifyUsersOptions): Promise<VerifyReport> {
  const started = Date.now();
  const run = new VerifyRun(o);
  const listCap = o.listCap ?? 1000;
  const cidaasUsers = run.lookup.mode === 'search' ? await run.lookup.total() : null;
  o.logger.info('verify started', { sample: o.sample ?? null, pageSize: run.pageSize, cidaasRead: run.lookup.mode });
  let rechecked: boolean;
  try {
    await run.legacyPass();
    o.logger.debug('verify: legacy users checked', { checked: run.checked, ms: Date.now() - started });
    if (!run.aborted) await run.orphanPass();
    o.logger.debug('verify: deleted users checked', { orphansChecked: run.orphansChecked, ms: Date.now() - started });
    rechecked = o.recheck !== false && !run.aborted && run.findings.total > 0 && !run.findings.overflowed;
    if (rechecked) await run.recheck();
  } catch (err) {
    // Nothing of this run may go on reading after it failed: the queued cidaas calls end at once
    // and the pages still in flight settle before the error leaves.
    run.lookup.stop();
    await Promise.allSettled(run.inFlight);
    throw err;
  }

  const deadLetterCount = await o.store.countDeadLetters();
  const deadLetters = listCap === 0 ? [] : (await o.store.listDeadLetters({ limit: Math.min(listCap, 10_000) }))
    .map((d) => ({ key: d.key, reason: d.reason, attempts: d.attempts }));

  const durationMs = Date.now() - started;
  const f = run.findings;
  const c = f.counts;
  const report: VerifyReport = {
    at: new Date(started).toISOString(),
    sample: o.sample ?? null,
    complete: !run.aborted,
    legacyUsers: run.legacyUsers,
    checked: run.checked,
    skipped: run.skipped,
    orphansChecked: run.orphansChecked,
    cidaasUsers,
    equal: !run.aborted && f.total === 0 && deadLetterCount === 0,
    counts: { ...c, differingByGroup: { ...c.differingByGroup }, deadLetters: deadLetterCount },
    listCap,
    missingInCidaas: f.missing.slice(0, listCap),
    deletedButPresent: f.deletedButPresent.slice(0, listCap),
    differing: f.differing.slice(0, listCap),
    unmappable: f.unmappable.slice(0, listCap),
    deadLetters,
    totpReenrol: { count: run.totpReenrol.count, keys: run.totpReenrol.keys.slice(0, listCap) },
    totpStranded: { count: f.totpStranded.count, keys: f.totpStranded.keys.slice(0, listCap) },
    cidaasRead: run.lookup.mode,
    rechecked,
    durationMs,
    usersPerSecond: durationMs > 0 ? Math.round((run.checked / durationMs) * 1000) : run.checked,
  };
  o.logger.info('verify done', {
    equal: report.equal, checked: run.checked, legacyUsers: run.legacyUsers, durationMs, usersPerSecond: report.usersPerSecond,
    missingInCidaas: c.missingInCidaas, deletedButPresent: c.deletedButPresent, differing: c.differing,
    unmappable: c.unmappable, deadLetters: deadLetterCount,
  });
  return report;
}

/** The state of one verify run and its passes. */
class VerifyRun {
  readonly lookup: CidaasUserLookup;
  readonly pageSize: number;
  readonly #ctx: CheckContext;
  readonly #retry: PageRetryOptions;
  readonly #random: () => number;
  readonly #keep: number;
  findings: VerifyFindings;
  /** Pages of the legacy pass started and not yet taken. */
  readonly inFlight: Promise<UserVerdict[]>[] = [];
  legacyUsers = 0;
  checked = 0;
  skipped = 0;
  orphansChecked = 0;
  aborted = false;
  /** Users who must enrol their authenticator again (cidaas.compat.totpImport flag-only). */
  readonly totpReenrol = { count: 0, keys: [] as string[] };

  constructor(private readonly o: VerifyUsersOptions) {
    this.pageSize = o.pageSize ?? 1000;
    this.#random = o.random ?? Math.random;
    this.#retry = { attempts: o.pageAttempts ?? 3, delayMs: o.pageRetryDelayMs ?? 1000, logger: o.logger };
    this.lookup = new CidaasUserLookup(o.client, {
      mode: o.cidaasRead ?? 'search',
      limit: new ConcurrencyLimit(o.concurrency ?? 16),
      searchSize: Math.min(1000, Math.max(1, o.searchSize ?? 500)),
      logger: o.logger,
    });
    this.#ctx = {
      reader: o.reader, mapper: o.mapper, store: o.store, lookup: this.lookup, onDelete: o.onDelete ?? 'purge',
      compare: { owned: o.ownedFields ?? NO_OWNED_FIELDS, clockSkewMs: o.clockSkewMs ?? 30_000, onRevoked: o.onRevoked ?? 'scramble' },
    };
    this.#keep = Math.max(o.listCap ?? 1000, RECHECK_LIMIT);
    this.findings = new VerifyFindings(this.#keep);
  }

  #stop(): boolean {
    if (this.o.signal?.aborted) this.aborted = true;
    return this.aborted;
  }

  /** 1. Every legacy user (or the sample), page by page in key order. */
  async legacyPass(): Promise<void> {
    const o = this.o;
    let total: number | null;
    let pages: AsyncIterable<string[]> | Iterable<string[]>;
    if (o.sample !== undefined) {
      const s = await sampleKeys(o.reader, o.sample, { pageSize: this.pageSize, random: this.#random, signal: o.signal });
      this.legacyUsers = s.legacyUsers;
      total = s.keys.length;
      pages = chunks(s.keys, this.pageSize);
    } else {
      total = await o.reader.estimateUserCount().catch(() => null);
      pages = keyPages(o.reader, this.pageSize, (n) => { this.legacyUsers += n; });
    }
    const take = async (): Promise<void> => {
      const verdicts = await this.inFlight.shift()!;
      for (const v of verdicts) {
        this.findings.add(v);
        if (v.kind === 'skipped') this.skipped++;
        if ((v.kind === 'equal' || v.kind === 'differing') && v.totpReenrol) {
          this.totpReenrol.count++;
          if (this.totpReenrol.keys.length < this.#keep) this.totpReenrol.keys.push(v.key);
        }
      }
      this.checked += verdicts.length;
      o.onProgress?.(this.checked, total);
    };
    for await (const keys of pages) {
      if (this.#stop()) break;
      const page = retryPage(`legacy keys ${keys[0]}..${keys[keys.length - 1]}`, () => checkUsers(this.#ctx, keys, { listed: () => true }), this.#retry);
      // Taken in order below; marked handled now, so a later page failing first is no unhandled rejection.
      page.catch(() => undefined);
      this.inFlight.push(page);
      if (this.inFlight.length >= PAGES_IN_FLIGHT) await take();
    }
    while (this.inFlight.length) await take();
  }

  /** 2. Users the state store knows whose legacy row is gone: they must be gone from cidaas too. */
  async orphanPass(): Promise<void> {
    const o = this.o;
    const fraction = o.sample === undefined ? 1 : this.legacyUsers === 0 ? 0 : Math.min(1, o.sample / this.legacyUsers);
    let after: string | null = null;
    while (!this.#stop()) {
      const states = await o.store.listUserStates(after, this.pageSize);
      if (states.length === 0) return;
      after = states[states.length - 1]!.key;
      const keys = states.map((s) => s.key).filter(() => fraction >= 1 || this.#random() < fraction);
      if (keys.length === 0) continue;
      const verdicts = await retryPage(`stored keys ${keys[0]}..${keys[keys.length - 1]}`,
        () => checkUsers(this.#ctx, keys, { orphansOnly: true }), this.#retry);
      for (const v of verdicts) {
        if (v.kind === 'live') continue;
        this.orphansChecked++;
        this.findings.add(v);
      }
    }
  }

  /** 3. A second look at each finding with fresh reads (GET by sub), dropping what a concurrent push fixed meanwhile. */
  async recheck(): Promise<void> {
    const keys = [...new Set(this.findings.keys)];
    const unreadable = new Set(this.findings.unmappable.filter((u) => u.reason === UNREADABLE_KEY_REASON).map((u) => u.key));
    this.findings = new VerifyFindings(this.#keep);
    for (const batch of chunks(keys, this.pageSize)) {
      const verdicts = await retryPage(`recheck of ${batch[0]}..${batch[batch.length - 1]}`,
        () => checkUsers(this.#ctx, batch, { authoritative: true, listed: (k) => unreadable.has(k) }), this.#retry);
      for (const v of verdicts) this.findings.add(v);
    }
  }
}

/** The legacy keys in pages, in key order; `seen` is told each page's size. */
async function* keyPages(reader: LegacyReader, pageSize: number, seen: (n: number) => void): AsyncGenerator<string[]> {
  let after: string | null = null;
  let previous: readonly string[] = [];
  for (;;) {
    const keys = await reader.pageKeys(after, pageSize);
    if (keys.length === 0) return;
    assertPageAdvanced(previous, keys, 'users.key');
    previous = keys;
    seen(keys.length);
    yield keys;
    if (keys.length < pageSize) return;
    after = keys[keys.length - 1]!;
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
