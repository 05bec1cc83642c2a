import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import type { LeaseBackend, LeaseIdentity } from '../../../src/ha/lease-backend.js';
import { LeaseKeeper } from '../../../src/ha/lease-keeper.js';
import { SqliteFileLease } from '../../../src/ha/sqlite-file-lease.js';
import { sqlLeaseBackend } from '../../../src/ha/sql-lease-backend.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import type { StateStore } from '../../../src/state/state-store.js';
import { parseStateStoreUrl } from '../../../src/state/state-store-url.js';
import { pollUntil } from '../../../tools/throwaway/poll-until.js';
import { storeTargets, sqlitePath } from '../fixtures/state-store-targets.js';

/** Issue #14: the lease, its fencing token, and the fence every state store write checks. */

function identity(name: string): LeaseIdentity {
  return { holder: `host-${name}/1/${name}`, host: `host-${name}`, pid: 1 };
}

/** Holds a backend's renewals until {@link open}, as a database that has not answered yet would. */
function renewalGate(): { wrap(backend: LeaseBackend): LeaseBackend; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return {
    open,
    wrap: (backend) => new Proxy(backend, {
      get(target, key) {
        if (key === 'renew') return async (...args: Parameters<LeaseBackend['renew']>) => { await opened; return target.renew(...args); };
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }),
  };
}

async function leaseLost(p: Promise<unknown>): Promise<SyncError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'expected LEASE_LOST').to.be.instanceOf(SyncError);
  expect((err as SyncError).code).to.equal('LEASE_LOST');
  return err as SyncError;
}

for (const target of storeTargets) {
  describe(`HA lease on a ${target.name} state store (#14)`, function () {
    this.timeout(30_000);
    let place: { url: string; drop(): Promise<void> };
    const keepers: LeaseKeeper[] = [];
    const stores: StateStore[] = [];

    function keeper(name: string, durationMs: number, now?: () => number, wrap?: (backend: LeaseBackend) => LeaseBackend): LeaseKeeper {
      const loc = parseStateStoreUrl(place.url);
      const backend = loc.kind === 'sqlite' ? new SqliteFileLease(loc.path) : sqlLeaseBackend(loc, 5000);
      const k = new LeaseKeeper({ backend: wrap ? wrap(backend) : backend, me: identity(name), durationMs, logger: new MemoryLogger(), pollMs: 50, ...(now ? { now } : {}) });
      keepers.push(k);
      return k;
    }

    async function store(): Promise<StateStore> {
      const s = await openStateStore(place.url);
      stores.push(s);
      return s;
    }

    beforeEach(async () => {
      place = await target.create();
    });

    afterEach(async () => {
      for (const k of keepers.splice(0)) await k.close().catch(() => undefined);
      for (const s of stores.splice(0)) await s.close();
      await place.drop();
    });

    it('gives the lease to one replica at a time; a standby takes it once released, with a larger token', async () => {
      const a = keeper('a', 5000);
      const b = keeper('b', 5000);
      expect(await a.acquire({ aborted: false }, () => undefined)).to.equal(true);
      const first = BigInt(a.token!);
      const giveUp = { aborted: false };
      const waiting = b.acquire(giveUp, () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(b.held).to.equal(false);
      await a.stepDown();
      expect(await waiting).to.equal(true);
      expect(BigInt(b.token!) > first).to.equal(true);
      expect(a.held).to.equal(false);
      expect(() => a.assertHeld()).to.throw(SyncError, /no longer holds the lease/);
    });

    it('lets a replica paused past its lease write nothing: its own clock stops it before the database does', async () => {
      let clock = 0;
      const a = keeper('a', 3000, () => clock);
      expect(await a.acquire({ aborted: false }, () => undefined)).to.equal(true);
      const s = await store();
      s.setFence!(a.fence);
      await s.saveCheckpoint('pos-1');
      await s.recordOutcomes([], 'pos-2');
      clock += 3000; // SIGSTOP, then SIGCONT: the renewals never ran.
      await leaseLost(s.saveCheckpoint('pos-3'));
      await leaseLost(s.recordOutcomes([], 'pos-4'));
      await leaseLost(s.setMeta('runner.clean', 'true'));
      s.setFence!(null);
      expect((await s.getCheckpoint())?.position).to.equal('pos-2');
    });

    it('renews the lease well before it expires, so a live holder keeps it', async () => {
      const a = keeper('a', 1500);
      let lost: SyncError | null = null;
      expect(await a.acquire({ aborted: false }, (e) => { lost = e; })).to.equal(true);
      const b = keeper('b', 1500);
      const giveUp = { aborted: false };
      const waiting = b.acquire(giveUp, () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      giveUp.aborted = true;
      expect(await waiting).to.equal(false);
      expect(a.held).to.equal(true);
      expect(lost).to.equal(null);
    });

    if (target.dialect !== 'sqlite') {
      it('fences the old holder out in the database once another replica took the lease, and tells it at the next renewal', async () => {
        // The old holder's clock stands still and its renewals wait at a gate: it still believes
        // it holds the lease when it writes, however slowly a loaded machine runs the steps
        // between (a renewal that came back in between told it first, and the write never
        // reached the database's fence).
        const gate = renewalGate();
        const a = keeper('a', 1500, () => 0, gate.wrap);
        let lost: SyncError | null = null;
        expect(await a.acquire({ aborted: false }, (e) => { lost = e; })).to.equal(true);
        const aToken = BigInt(a.token!);
        const s = await store();
        s.setFence!(a.fence);
        await s.saveCheckpoint('pos-1');
        // cutover takes the lease whoever holds it.
        const c = keeper('cutover', 1500);
        expect(await c.acquire({ aborted: false }, () => undefined, true)).to.equal(true);
        expect(BigInt(c.token!)).to.equal(aToken + 1n);
        expect(a.held).to.equal(true);
        const err = await leaseLost(s.saveCheckpoint('pos-2'));
        expect(err.message).to.match(/not ours/);
        gate.open();
        await pollUntil(async () => lost !== null, { timeoutMs: 5000, intervalMs: 50 });
        s.setFence!(null);
        expect((await s.getCheckpoint())?.position).to.equal('pos-1');
      });

      it('hands an expired lease to a standby without a release (the holder was killed)', async () => {
        const a = keeper('a', 1000);
        expect(await a.acquire({ aborted: false }, () => undefined)).to.equal(true);
        await a.close(); // no renewal, no release: as kill -9
        const b = keeper('b', 1000);
        const started = Date.now();
        expect(await b.acquire({ aborted: false }, () => undefined)).to.equal(true);
        expect(Date.now() - started).to.be.below(3000);
      });
    } else {
      it('holds the file lock for the holder alone until it steps down; another process sees the holder', async () => {
        const a = keeper('a', 3000);
        expect(await a.acquire({ aborted: false }, () => undefined)).to.equal(true);
        const info = await new SqliteFileLease(sqlitePath(place.url)).read();
        expect(info?.holder).to.equal(identity('a').holder);
        const b = keeper('b', 3000);
        const giveUp = { aborted: false };
        const waiting = b.acquire(giveUp, () => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(b.held).to.equal(false);
        await a.stepDown();
        expect(await waiting).to.equal(true);
      });
    }
  });
}
