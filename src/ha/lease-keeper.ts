import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { StateFence } from '../state/state-store.js';
import type { LeaseBackend, LeaseIdentity, TransactionQuery } from './lease-backend.js';

/** Options of {@link LeaseKeeper}. */
export interface LeaseKeeperOptions {
  readonly backend: LeaseBackend;
  readonly me: LeaseIdentity;
  /** How long a lease lasts without renewal (ms). Renewed every third of it. */
  readonly durationMs: number;
  readonly logger: Logger;
  /** How often a standby tries to take the lease (ms); default min(1000, durationMs / 3). */
  readonly pollMs?: number;
  readonly now?: () => number;
}

function leaseLost(why: string): SyncError {
  return new SyncError('LEASE_LOST', `this replica no longer holds the lease: ${why}`, {
    hint: 'nothing to do: another replica took over from the stored checkpoint; this one steps down to standby',
  });
}

/**
 * Holds the lease for one replica: waits for it as a standby, renews it every third of its
 * duration, and knows locally, without a round trip, whether it may still act. It counts as held
 * only until `sent + duration - margin`, `sent` being when the last successful renewal left this
 * process, so it runs out here before it runs out in the database, whatever this process was doing
 * meanwhile (a GC pause, SIGSTOP, a frozen VM). Every state store write also checks the fencing
 * token in its own transaction ({@link fence}): the database has the last word.
 */
export class LeaseKeeper {
  readonly #o: LeaseKeeperOptions;
  readonly #now: () => number;
  readonly #log: Logger;
  #token: string | null = null;
  #validUntil = 0;
  #lostWhy: string | null = null;
  #renewTimer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #onLost: ((err: SyncError) => void) | null = null;
  #renewing: Promise<void> | null = null;

  constructor(options: LeaseKeeperOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#log = options.logger.child({ component: 'lease' });
  }

  get me(): LeaseIdentity { return this.#o.me; }
  /** The fencing token while the lease is held, else null. */
  get token(): string | null { return this.held ? this.#token : null; }
  /** True while the lease is ours and not run out locally. */
  get held(): boolean {
    return this.#token !== null && this.#lostWhy === null && this.#now() < this.#validUntil;
  }

  get #margin(): number {
    return Math.min(1000, this.#o.durationMs / 10);
  }

  /** Throws LEASE_LOST unless the lease is held now. Called before every push and acknowledgement. */
  assertHeld(): void {
    if (this.held) return;
    const why = this.#lostWhy ?? (this.#token === null ? 'it was never taken' : 'it ran out before it could be renewed');
    this.#lose(why);
    throw leaseLost(why);
  }

  /**
   * Waits as a standby until the lease is ours (true) or `signal.aborted` (false). Logs who holds it
   * whenever that changes. `force` takes it at once whoever holds it (`cutover`).
   */
  async acquire(signal: { readonly aborted: boolean }, onLost: (err: SyncError) => void, force = false): Promise<boolean> {
    const o = this.#o;
    const poll = o.pollMs ?? Math.min(1000, o.durationMs / 3);
    let lastSeen: string | null | undefined;
    let prepared = false;
    let wait = poll;
    while (!signal.aborted) {
      try {
        if (!prepared) {
          await o.backend.prepare();
          prepared = true;
        }
        const sent = this.#now();
        const token = await o.backend.tryAcquire(o.me, o.durationMs, force);
        if (token !== null) {
          this.#token = token;
          this.#lostWhy = null;
          this.#validUntil = sent + o.durationMs - this.#margin;
          this.#onLost = onLost;
          this.#schedule();
          this.#log.info('lease acquired: this replica is active', { token, holder: o.me.holder, leaseMs: o.durationMs });
          return true;
        }
        const row = await o.backend.read();
        const holder = row?.holder ?? null;
        if (holder !== lastSeen) {
          lastSeen = holder;
          this.#log.info('standby: another replica holds the lease', { holder, host: row?.host, pid: row?.pid, token: row?.token, expiresInMs: row?.expiresInMs });
        }
        // Try again at the next poll, or just after the lease expires when that is sooner.
        wait = row && row.holder !== null && row.expiresInMs !== null && row.expiresInMs >= 0 ? Math.min(poll, row.expiresInMs + 20) : poll;
      } catch (err) {
        this.#log.warn('standby: the lease cannot be read or taken now; trying again', { error: (err as Error).message });
        wait = poll;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return false;
  }

  /** The fence of every state store write while active: the token must still be ours, locally and in the row. */
  readonly fence: StateFence = {
    check: async (query: TransactionQuery): Promise<void> => {
      this.assertHeld();
      const sql = this.#o.backend.fenceSql;
      if (sql === null) return;
      const prelude = this.#o.backend.fencePrelude;
      if (prelude) await query(prelude, []);
      const rows = (await query(sql, [])) as { token: string | number; holder: string | null }[];
      const row = rows[0];
      if (!row || String(row.token) !== this.#token || row.holder !== this.#o.me.holder) {
        const why = `the lease row holds token ${row ? String(row.token) : 'none'} of ${row?.holder ?? 'nobody'}, not ours (${this.#token ?? 'none'})`;
        this.#lose(why);
        throw leaseLost(why);
      }
    },
  };

  #schedule(): void {
    this.#clearTimers();
    const every = this.#o.durationMs / 3;
    this.#renewTimer = setInterval(() => { this.#renewing ??= this.#renew().finally(() => { this.#renewing = null; }); }, every);
    this.#armWatchdog();
  }

  #armWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (!this.held && this.#token !== null) this.#lose('it ran out before it could be renewed');
      else this.#armWatchdog();
    }, Math.max(10, this.#validUntil - this.#now() + 1));
  }

  async #renew(): Promise<void> {
    const token = this.#token;
    if (token === null || this.#lostWhy !== null) return;
    if (!this.held) {
      this.#lose('it ran out before it could be renewed');
      return;
    }
    const sent = this.#now();
    try {
      const ok = await this.#o.backend.renew(this.#o.me, token, this.#o.durationMs);
      if (this.#token !== token || this.#lostWhy !== null) return;
      if (!ok) {
        this.#lose('another replica took it');
        return;
      }
      // A renewal that comes back after the lease ran out locally does not revive it: the work
      // stopped meanwhile may have been taken over between the two.
      if (this.#now() >= this.#validUntil) {
        this.#lose('it ran out before it could be renewed');
        return;
      }
      this.#validUntil = sent + this.#o.durationMs - this.#margin;
      this.#armWatchdog();
    } catch (err) {
      this.#log.warn('renewing the lease failed; trying again', { error: (err as Error).message, validForMs: Math.round(this.#validUntil - this.#now()) });
      // Again soon rather than at the next third: a busy database should not cost the lease.
      const retry = setTimeout(() => { if (this.#token === token) this.#renewing ??= this.#renew().finally(() => { this.#renewing = null; }); }, 100);
      retry.unref();
    }
  }

  #lose(why: string): void {
    if (this.#token === null || this.#lostWhy !== null) return;
    this.#lostWhy = why;
    this.#clearTimers();
    this.#log.warn('lease lost: stopping at once and stepping down to standby', { why, token: this.#token });
    const cb = this.#onLost;
    this.#onLost = null;
    cb?.(leaseLost(why));
  }

  #clearTimers(): void {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#renewTimer = this.#watchdog = null;
  }

  /**
   * Ends this term: stops renewing, forgets the token and gives the lease up (when it is still
   * ours: the release names our token), so a standby takes over at once instead of at expiry.
   */
  async stepDown(): Promise<void> {
    const token = this.#token;
    this.#clearTimers();
    this.#onLost = null;
    await this.#renewing;
    this.#token = null;
    this.#lostWhy = null;
    if (token !== null) {
      await this.#o.backend.release(this.#o.me, token).then(
        () => this.#log.info('lease released: a standby takes over now', { token }),
        (err: unknown) => this.#log.warn('releasing the lease failed; a standby takes over when it expires', { error: (err as Error).message }),
      );
    }
  }

  /** Stops renewing without giving the lease up (cutover keeps it with {@link extend}). */
  async stop(): Promise<void> {
    this.#clearTimers();
    this.#onLost = null;
    await this.#renewing;
  }

  /** Extends the lease held with `token` to `durationMs` from now, once; false when it is no longer ours. */
  extend(token: string, durationMs: number): Promise<boolean> {
    return this.#o.backend.renew(this.#o.me, token, durationMs);
  }

  async close(): Promise<void> {
    this.#clearTimers();
    await this.#o.backend.close();
  }
}
