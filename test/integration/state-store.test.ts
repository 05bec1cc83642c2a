import { expect } from 'chai';
import { MemoryLogger } from '../../src/observability/logger.js';
import { openStateStore } from '../../src/state/open-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { at, dead, deleted, digest, pushed, rejection } from './fixtures/outcomes.js';
import { storeTargets } from './fixtures/state-store-targets.js';

const MIGRATIONS = ['CreateStateTables1764028800000', 'AddFingerprintKey1796169600000'];

function openLine(log: MemoryLogger): Record<string, unknown> | undefined {
  return log.lines.find((l) => l.message === 'state store open')?.fields;
}

for (const target of storeTargets) {
  describe(`state store on ${target.name}`, function () {
    let place: { url: string; drop(): Promise<void> };
    let store: StateStore;
    let firstLog: MemoryLogger;
    const opened: StateStore[] = [];

    async function open(logger = new MemoryLogger()): Promise<StateStore> {
      const s = await openStateStore(place.url, { logger });
      opened.push(s);
      return s;
    }

    beforeEach(async function () {
      place = await target.create();
      firstLog = new MemoryLogger();
      store = await open(firstLog);
    });

    afterEach(async function () {
      for (const s of opened.splice(0)) await s.close();
      await place.drop();
    });

    it('runs its migrations on a fresh store, none on reopen, and keeps every table under cidaas_sync_', async function () {
      expect(openLine(firstLog)?.migrationsRun).to.deep.equal(MIGRATIONS);
      await store.recordOutcomes([pushed('1')], 'pos-1');
      await store.close();

      const again = new MemoryLogger();
      const reopened = await open(again);
      expect(openLine(again)?.migrationsRun).to.deep.equal([]);
      expect((await reopened.getCheckpoint())?.position).to.equal('pos-1');
      expect(await target.query(place.url, 'SELECT name FROM cidaas_sync_migrations ORDER BY timestamp')).to.deep.equal(MIGRATIONS.map((name) => ({ name })));
      const tables = (await target.query(place.url, target.listTablesSql)).map((r) => String(r.name)).sort();
      expect(tables).to.deep.equal([
        'cidaas_sync_backfill', 'cidaas_sync_checkpoint', 'cidaas_sync_dead_letter',
        'cidaas_sync_meta', 'cidaas_sync_migrations', 'cidaas_sync_user_state',
      ]);
    });

    it('stores a batch of outcomes with its checkpoint and reads them back exactly', async function () {
      const fingerprints = { profile: digest('p'), email: digest('e'), password: digest('pw'), mfa: digest('m') };
      await store.recordOutcomes([pushed('1', at(1), fingerprints), deleted('2', at(2)), dead('3', 'email invalid', at(3), true)], '0/16B3748');
      const states = await store.getUserStates(['1', '2', '3']);
      expect([...states.keys()].sort()).to.deep.equal(['1', '2']);
      expect(states.get('1')).to.deep.equal({ key: '1', sub: 'legacy-1', fingerprints, lastPushAt: at(1), deleted: false });
      expect((await store.getDeadLetters(['3'])).get('3')).to.deep.equal({
        key: '3', reason: 'email invalid', attempts: 1, firstSeen: at(3), lastSeen: at(3), permanent: true,
      });
      expect((await store.getCheckpoint())?.position).to.equal('0/16B3748');
    });

    it('stores neither outcomes nor checkpoint when a batch fails after its outcomes were written', async function () {
      await store.recordOutcomes([pushed('1')], 'pos-1');
      // The empty checkpoint is refused after the outcomes' statements ran.
      const err = await rejection(store.recordOutcomes([pushed('2'), dead('3'), deleted('1')], ''));
      expect(err.code).to.equal('STATE_STORE');
      expect([...(await store.getUserStates(['1', '2'])).keys()]).to.deep.equal(['1']);
      expect((await store.getUserStates(['1'])).get('1')?.deleted).to.equal(false);
      expect(await store.countDeadLetters()).to.equal(0);
      expect((await store.getCheckpoint())?.position).to.equal('pos-1');
    });

    it('rolls back the outcomes when the database fails the checkpoint write of the same batch', async function () {
      await store.recordOutcomes([pushed('1')], 'pos-1');
      await target.query(place.url, target.failCheckpointSql);
      const err = await rejection(store.recordOutcomes([pushed('2'), dead('3'), deleted('1')], 'pos-2'));
      expect(err.message, err.message).to.contain('checkpoint write refused by a trigger');
      expect(await store.countUsers()).to.deep.equal({ live: 1, deleted: 0 });
      expect(await store.countDeadLetters()).to.equal(0);
      expect((await store.getCheckpoint())?.position).to.equal('pos-1');
      await store.recordOutcomes([pushed('2')]);
      expect(await store.countUsers()).to.deep.equal({ live: 2, deleted: 0 });
    });

    it('refuses a fingerprint that is not a digest, stores nothing of the batch and never shows the value', async function () {
      const bcrypt = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
      const err = await rejection(store.recordOutcomes([pushed('1'), pushed('2', at(), { profile: digest('x'), password: bcrypt })], 'pos-1'));
      expect(err.code).to.equal('STATE_STORE');
      expect(err.transient).to.equal(false);
      expect(err.message).to.contain('password fingerprint of user "2"');
      expect(`${err.describe()} ${String(err.cause)}`).not.to.contain(bcrypt);
      expect((await store.getUserStates(['1', '2'])).size).to.equal(0);
      expect(await store.getCheckpoint()).to.equal(null);
    });

    it('counts dead-letter attempts, keeps the first time seen and moves the last', async function () {
      await store.recordOutcomes([dead('7', 'first', at(0))]);
      await store.recordOutcomes([dead('7', 'second', at(10)), dead('7', 'third', at(20), true)]);
      expect((await store.getDeadLetters(['7'])).get('7')).to.deep.equal({
        key: '7', reason: 'third', attempts: 3, firstSeen: at(0), lastSeen: at(20), permanent: true,
      });
      const long = 'x'.repeat(5000);
      await store.recordOutcomes([dead('8', long)]);
      expect((await store.getDeadLetters(['8'])).get('8')?.reason).to.have.length(2000);
    });

    it('clears the dead letter of a user that is pushed, in order within a batch', async function () {
      await store.recordOutcomes([dead('5'), dead('6'), dead('8')]);
      await store.recordOutcomes([pushed('5'), pushed('6'), dead('6', 'again'), dead('8'), pushed('8')]);
      const letters = await store.getDeadLetters(['5', '6', '8']);
      expect([...letters.keys()]).to.deep.equal(['6']);
      expect(letters.get('6')?.attempts).to.equal(1);
      expect((await store.getUserStates(['5', '6', '8'])).size).to.equal(3);
    });

    it('keeps a tombstone without fingerprints for a deleted user and clears its dead letter', async function () {
      await store.recordOutcomes([pushed('1', at(1)), pushed('2', at(2)), dead('1')]);
      await store.recordOutcomes([deleted('1', at(5))]);
      expect((await store.getUserStates(['1'])).get('1')).to.deep.equal({ key: '1', sub: 'legacy-1', fingerprints: {}, lastPushAt: at(5), deleted: true });
      expect(await store.countUsers()).to.deep.equal({ live: 1, deleted: 1 });
      expect(await store.countDeadLetters()).to.equal(0);
      expect(await store.lastPushAt()).to.deep.equal(at(5));
      await store.recordOutcomes([pushed('1', at(9))]);
      expect((await store.getUserStates(['1'])).get('1')?.deleted).to.equal(false);
      expect(await store.countUsers()).to.deep.equal({ live: 2, deleted: 0 });
    });

    it('round-trips backfill progress and forgets it on clear', async function () {
      expect(await store.getBackfill()).to.equal(null);
      const running = { status: 'running' as const, startPosition: 'mysql-bin.000003:4711', lastKey: null, usersDone: 0, usersTotal: null, startedAt: at(1), finishedAt: null };
      await store.saveBackfill(running);
      expect(await store.getBackfill()).to.deep.equal(running);
      const done = { ...running, status: 'done' as const, lastKey: 'u999', usersDone: 3_000_000_000, usersTotal: 3_000_000_000, finishedAt: at(2) };
      await store.saveBackfill(done);
      expect(await store.getBackfill()).to.deep.equal(done);
      await store.clearBackfill();
      expect(await store.getBackfill()).to.equal(null);
    });

    it('pages user states in binary key order, telling a from A', async function () {
      const keys = ['9', '10', '1', 'b', 'B', 'a', 'A', 'é', 'z'];
      await store.recordOutcomes(keys.map((k) => pushed(k)));
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await store.listUserStates(after, 2);
        if (page.length === 0) break;
        expect(page.length).to.be.at.most(2);
        seen.push(...page.map((s) => s.key));
        after = page[page.length - 1]!.key;
      }
      expect(seen).to.deep.equal(['1', '10', '9', 'A', 'B', 'a', 'b', 'z', 'é']);
      if (target.keyCollation) {
        expect(await target.query(place.url, target.keyCollation.sql)).to.deep.equal([{ c: target.keyCollation.expected }]);
      }
    });

    it('lists, counts, gets and removes dead letters', async function () {
      await store.recordOutcomes(['d5', 'd3', 'd1', 'd4', 'd2'].map((k) => dead(k)));
      expect((await store.listDeadLetters({ limit: 2 })).map((d) => d.key)).to.deep.equal(['d1', 'd2']);
      expect((await store.listDeadLetters({ limit: 2, afterKey: 'd2' })).map((d) => d.key)).to.deep.equal(['d3', 'd4']);
      expect(await store.countDeadLetters()).to.equal(5);
      expect([...(await store.getDeadLetters(['d1', 'zz'])).keys()]).to.deep.equal(['d1']);
      expect(await store.removeDeadLetters(['d1', 'd2', 'zz'])).to.equal(2);
      expect(await store.countDeadLetters()).to.equal(3);
    });

    it('reads and writes more keys than one IN list or insert holds', async function () {
      const keys = Array.from({ length: 1200 }, (_, i) => `user-${String(i).padStart(5, '0')}`);
      await store.recordOutcomes(keys.map((k) => pushed(k)), 'pos-big');
      expect((await store.getUserStates([...keys, 'missing'])).size).to.equal(1200);
      expect(await store.countUsers()).to.deep.equal({ live: 1200, deleted: 0 });
      expect((await store.listUserStates(null, 10_000)).map((s) => s.key)).to.deep.equal(keys);
    });

    it('keeps small metadata and overwrites it', async function () {
      expect(await store.getMeta('source.identity')).to.equal(null);
      await store.setMeta('source.identity', 'system-id 1');
      await store.setMeta('source.identity', 'system-id 2');
      expect(await store.getMeta('source.identity')).to.equal('system-id 2');
      await store.saveCheckpoint('pos-a');
      await store.saveCheckpoint('pos-b');
      expect((await store.getCheckpoint())?.position).to.equal('pos-b');
    });

    if (target.dialect !== 'sqlite') {
      it('migrates a fresh database once when two stores open it at the same time', async function () {
        const fresh = await target.create();
        try {
          const logs = [new MemoryLogger(), new MemoryLogger()];
          const both = await Promise.all(logs.map((logger) => openStateStore(fresh.url, { logger })));
          // One fingerprint key for both: fingerprints written by one replica are read by the other.
          expect(both[0]!.fingerprintKey().mac('x')).to.equal(both[1]!.fingerprintKey().mac('x'));
          for (const s of both) await s.close();
          const ran = logs.flatMap((l) => (openLine(l)?.migrationsRun as string[] | undefined) ?? []);
          expect(ran).to.deep.equal(MIGRATIONS);
          expect(await target.query(fresh.url, 'SELECT name FROM cidaas_sync_migrations')).to.have.length(MIGRATIONS.length);
        } finally {
          await fresh.drop();
        }
      });
    }
  });
}
