// Over 300 lines on purpose: the dirty set, the watermark and the in-flight bookkeeping share one
// invariant (a user never in two batches, the watermark never past an unpushed user).
import type { RowExpectation } from './digest/row-expectation.js';
import { DirtySet, type DirtyFields } from './dirty-set.js';
import { MinHeap } from './min-heap.js';
import { PackedExpectations } from './digest/packed-expectations.js';
import type { DirtyMark } from './translator.js';

/**
 * A dirty user: changed in the legacy database since its last push. Coalesces every change to
 * the user into one entry, so many changes cost one push of the latest state.
 */
export interface DirtyUser {
  readonly key: string;
  /** Sequence number of the oldest transaction that dirtied the user since its last push. */
  readonly oldestSeq: number;
  /** The newest logged image of each changed row, keyed by role and row identity. */
  readonly expectations: ReadonlyMap<string, RowExpectation>;
  /** Reads that disagreed with the log, or transient push failures, so far. */
  readonly attempts: number;
  /** Not taken before this time (ms since epoch): the backoff after a failed attempt. */
  readonly notBefore: number;
  /** When the user first became dirty (ms since epoch), for latency metrics. */
  readonly since: number;
  /** When the user was last changed (ms since epoch). */
  readonly lastChange: number;
  /** Push whatever the fingerprints say: cidaas may hold something the state store does not know. */
  readonly force: boolean;
  /** The root row was deleted since the last push (a user found now re-uses the key). */
  readonly rootDeleted: boolean;
}

interface MutableDirtyUser {
  key: string;
  oldestSeq: number;
  expectations: Map<string, RowExpectation>;
  attempts: number;
  notBefore: number;
  since: number;
  lastChange: number;
  force: boolean;
  rootDeleted: boolean;
}

export interface SyncEngineOptions {
  /** At most this many users dirty or in flight; beyond it {@link SyncEngine.waitForRoom} blocks the source. */
  readonly maxDirtyUsers: number;
  /** Orders two source positions (the source's own comparison). */
  readonly comparePositions: (a: string, b: string) => number;
  /** The stored checkpoint the stream resumes from; the watermark never goes below it. */
  readonly checkpoint: string | null;
  /**
   * A changed user is taken once it has been quiet this long (ms, default 0), so that a burst of
   * changes to one user costs one push of its final state...
   */
  readonly quietMs?: number;
  /** ...but never later than this long after it became dirty (ms, default 1000). */
  readonly maxDelayMs?: number;
  readonly now?: () => number;
}

/**
 * The sync engine (docs/architecture.md step 3): the set of dirty users and the checkpoint watermark.
 *
 * Transactions get increasing sequence numbers. A user counts against the sequence number of the
 * oldest transaction that dirtied it since its last push. The watermark is the commit position of
 * the newest transaction older than every transaction that still has a dirty or in-flight user;
 * with nothing pending it is the newest commit or idle position seen. Everything at or before the
 * watermark is pushed, so a restart from there loses nothing.
 *
 * A user is never in two in-flight batches: a change to a user in flight makes a second entry
 * that is taken only after the first completes.
 */
export class SyncEngine {
  readonly #opts: SyncEngineOptions;
  readonly #now: () => number;
  /** Dirty users, compact (DirtySet); only the users in flight are objects. */
  readonly #dirty = new DirtySet();
  readonly #packer = new PackedExpectations();
  readonly #inFlight = new Map<string, MutableDirtyUser>();
  /** Users pending per sequence number (dirty or in flight), and a heap of those numbers. */
  readonly #pending = new Map<number, number>();
  readonly #pendingHeap = new MinHeap();
  /** Commits not yet behind the watermark, oldest first. */
  #commits: { seq: number; position: string }[] = [];
  #seq = 0;
  #openSeq: number | null = null;
  #lastPosition: string | null = null;
  #checkpoint: string | null;
  #waiters: (() => void)[] = [];

  constructor(options: SyncEngineOptions) {
    this.#opts = options;
    this.#now = options.now ?? Date.now;
    this.#checkpoint = options.checkpoint;
  }

  /** Users dirty (not in flight). */
  get dirtyCount(): number { return this.#dirty.size; }
  /** Users in flight. */
  get inFlightCount(): number { return this.#inFlight.size; }
  /** Users dirty or in flight: the work between the checkpoint and the log. */
  get pendingCount(): number { return this.#dirty.size + this.#inFlight.size; }
  /** True while a transaction has begun and not committed. */
  get inTransaction(): boolean { return this.#openSeq !== null; }
  /** The last stored checkpoint. */
  get checkpoint(): string | null { return this.#checkpoint; }

  /** A transaction begins; its marks count against a new sequence number. */
  begin(): void {
    if (this.#openSeq !== null) throw new Error('begin() inside an open transaction');
    this.#openSeq = ++this.#seq;
  }

  /**
   * Users dirtied by a change of the open transaction. `force`: push them even when their
   * fingerprints are unchanged (changes replayed after an unclean stop).
   */
  mark(marks: readonly DirtyMark[], force = false): void {
    const seq = this.#openSeq;
    if (seq === null) throw new Error('mark() outside a transaction');
    const d = this.#dirty;
    for (const m of marks) {
      let slot = d.slotOf(m.key);
      if (slot === undefined) {
        const now = this.#now();
        slot = d.add(m.key, { oldestSeq: seq, attempts: 0, notBefore: 0, since: now, lastChange: now, force: false, rootDeleted: false });
        this.#addPending(seq);
      } else d.setLastChange(slot, this.#now());
      if (m.expectation) d.setExpectations(slot, this.#packer.add(d.expectations(slot), m.expectation));
      if (force) d.setForce(slot);
      if (m.rootDeleted) d.setRootDeleted(slot);
    }
    if (marks.length) this.#wake();
  }

  /** The open transaction committed at `position`. */
  commit(position: string): void {
    const seq = this.#openSeq;
    if (seq === null) throw new Error('commit() outside a transaction');
    this.#openSeq = null;
    this.#commits.push({ seq, position });
    this.#advanceLast(position);
  }

  /**
   * The stream broke inside the open transaction; it will be delivered again from its begin. Its
   * dirty users stay dirty (pushing them again is harmless) and keep the watermark before it.
   */
  abort(): void {
    const seq = this.#openSeq;
    if (seq === null) return;
    this.#openSeq = null;
    // An empty commit entry would let the watermark pass the aborted transaction; there is none, and
    // its users are still counted against `seq`, which holds the watermark before it.
  }

  /** The source is at `position` with everything of ours before it delivered (keepalive, heartbeat). */
  idle(position: string): void {
    if (this.#openSeq !== null) return;
    this.#advanceLast(position);
  }

  #advanceLast(position: string): void {
    if (this.#lastPosition === null || this.#opts.comparePositions(position, this.#lastPosition) > 0) this.#lastPosition = position;
  }

  /** Resolves once fewer than `maxDirtyUsers` users are dirty or in flight. */
  async waitForRoom(): Promise<void> {
    while (this.pendingCount >= this.#opts.maxDirtyUsers) await this.#nextChange();
  }

  /**
   * Takes up to `max` users that are dirty, not in flight, and past their backoff, oldest first,
   * and moves them in flight.
   */
  take(max: number): DirtyUser[] {
    const now = this.#now();
    const keys: string[] = [];
    for (const [key, slot] of this.#dirty.entries()) {
      if (keys.length >= max) break;
      if (this.#readyAt(slot) > now || this.#inFlight.has(key)) continue;
      keys.push(key);
    }
    return keys.map((key) => {
      const f = this.#dirty.remove(key)!;
      const u: MutableDirtyUser = {
        key, oldestSeq: f.oldestSeq, expectations: this.#packer.unpack(f.expectations), attempts: f.attempts,
        notBefore: f.notBefore, since: f.since, lastChange: f.lastChange, force: f.force, rootDeleted: f.rootDeleted,
      };
      this.#inFlight.set(key, u);
      return u;
    });
  }

  /** Milliseconds until some dirty user becomes takeable (0: now), or null when none is dirty. */
  nextReadyIn(): number | null {
    const now = this.#now();
    let best: number | null = null;
    for (const [key, slot] of this.#dirty.entries()) {
      if (this.#inFlight.has(key)) continue;
      const wait = Math.max(0, this.#readyAt(slot) - now);
      if (wait === 0) return 0;
      if (best === null || wait < best) best = wait;
    }
    return best;
  }

  /** When a dirty user may be taken: after its backoff, and once quiet or overdue. */
  #readyAt(slot: number): number {
    const d = this.#dirty;
    const quiet = this.#opts.quietMs ?? 0;
    const settled = quiet > 0 ? Math.min(d.lastChange(slot) + quiet, d.since(slot) + (this.#opts.maxDelayMs ?? 1000)) : 0;
    return Math.max(d.notBefore(slot), settled);
  }

  /** Age in ms of the oldest dirty or in-flight user, 0 when none: the lag in time. */
  oldestPendingAge(): number {
    const now = this.#now();
    let oldest = now;
    for (const slot of this.#dirty.slots()) oldest = Math.min(oldest, this.#dirty.since(slot));
    for (const u of this.#inFlight.values()) if (u.since < oldest) oldest = u.since;
    return now - oldest;
  }

  /** The users' pushes are stored (pushed, deleted or dead-lettered): they are no longer pending. */
  complete(users: readonly DirtyUser[]): void {
    for (const u of users) {
      if (this.#inFlight.get(u.key) !== u) continue;
      this.#inFlight.delete(u.key);
      this.#removePending(u.oldestSeq);
    }
    this.#wake();
  }

  /**
   * The user could not be pushed now (its read was older than the log, or cidaas failed
   * transiently): it goes back to the dirty set, merged with any newer change, not before `delayMs`.
   */
  requeue(user: DirtyUser, delayMs: number, force = false): void {
    const u = this.#inFlight.get(user.key);
    if (u !== user) return;
    this.#inFlight.delete(u.key);
    const newer = this.#dirty.remove(u.key);
    if (newer) {
      // The older entry's sequence number stays counted; the newer one's is released.
      this.#removePending(newer.oldestSeq);
      for (const [k, e] of this.#packer.unpack(newer.expectations)) u.expectations.set(k, e);
      u.force ||= newer.force;
      u.rootDeleted ||= newer.rootDeleted;
    }
    u.attempts += 1;
    if (force) u.force = true;
    u.notBefore = this.#now() + delayMs;
    let packed: string | undefined;
    for (const e of u.expectations.values()) packed = this.#packer.add(packed, e);
    const fields: DirtyFields = {
      oldestSeq: u.oldestSeq, notBefore: u.notBefore, since: u.since, lastChange: u.lastChange, attempts: u.attempts, force: u.force, rootDeleted: u.rootDeleted,
      ...(packed === undefined ? {} : { expectations: packed }),
    };
    this.#dirty.add(u.key, fields);
    this.#wake();
  }

  /**
   * The position up to which everything is pushed, when it is past the stored checkpoint; `null`
   * when there is nothing new to checkpoint.
   */
  watermark(): string | null {
    const minPending = this.#minPending();
    let candidate: string | null;
    if (minPending === null) {
      candidate = this.#lastPosition;
      this.#commits = [];
    } else {
      let idx = -1;
      while (idx + 1 < this.#commits.length && this.#commits[idx + 1]!.seq < minPending) idx++;
      candidate = idx >= 0 ? this.#commits[idx]!.position : null;
      if (idx > 0) this.#commits = this.#commits.slice(idx);
    }
    if (candidate === null) return null;
    if (this.#checkpoint !== null && this.#opts.comparePositions(candidate, this.#checkpoint) <= 0) return null;
    return candidate;
  }

  /** The watermark `position` is stored as the checkpoint. */
  checkpointed(position: string): void {
    if (this.#checkpoint === null || this.#opts.comparePositions(position, this.#checkpoint) > 0) this.#checkpoint = position;
  }

  /** Resolves on the next change of the dirty or in-flight set. */
  #nextChange(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves when a user may be takeable (marked, requeued or completed), or after `timeoutMs`. */
  waitForWork(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      let fired = false;
      function done(): void {
        if (fired) return;
        fired = true;
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  /** Wakes everyone waiting on the engine (shutdown). */
  wakeAll(): void {
    this.#wake();
  }

  #wake(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  #addPending(seq: number): void {
    const n = this.#pending.get(seq) ?? 0;
    this.#pending.set(seq, n + 1);
    if (n === 0) this.#pendingHeap.push(seq);
  }

  #removePending(seq: number): void {
    const n = this.#pending.get(seq) ?? 0;
    if (n <= 1) this.#pending.delete(seq);
    else this.#pending.set(seq, n - 1);
  }

  #minPending(): number | null {
    let top = this.#pendingHeap.peek();
    while (top !== undefined && !this.#pending.has(top)) {
      this.#pendingHeap.pop();
      top = this.#pendingHeap.peek();
    }
    if (this.#openSeq !== null && (top === undefined || this.#openSeq < top)) return this.#openSeq;
    return top ?? null;
  }
}
