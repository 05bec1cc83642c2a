import { expect } from 'chai';
import { FakeSource } from '../../bench/fake-source.js';
import { BackfillLifecycle } from '../../src/backfill-lifecycle.js';
import { MemoryLogger } from '../../src/observability/logger.js';
import { META } from '../../src/state/meta-keys.js';
import { openStateStore } from '../../src/state/open-state-store.js';
import type { BackfillProgress, StateStore } from '../../src/state/state-store.js';

describe('the backfill lifecycle shared by run and the backfill command (#17)', () => {
  let store: StateStore;
  beforeEach(async () => { store = await openStateStore('sqlite::memory:', { logger: new MemoryLogger() }); });
  afterEach(async () => { await store.close(); });

  it('records the log position before the first page, and notes no sweep over an empty state store', async () => {
    const lifecycle = new BackfillLifecycle(new FakeSource({ transactions: [] }), store);
    const b = await lifecycle.begin(null);
    expect(b).to.include({ status: 'running', startPosition: '0', lastKey: null, usersDone: 0 });
    expect((await store.getBackfill())?.startPosition).to.equal('0');
    expect(await store.getMeta(META.backfillSweep)).to.equal(null);
  });

  it('notes a sweep when the state store already holds live users, and resumes a stored backfill as it is', async () => {
    await store.recordOutcomes([{ kind: 'pushed', key: '1', sub: 'legacy-1', fingerprints: {}, at: new Date() }]);
    const lifecycle = new BackfillLifecycle(new FakeSource({ transactions: [] }), store);
    const b = await lifecycle.begin(null);
    expect(await store.getMeta(META.backfillSweep)).to.equal('pending');
    const resumed: BackfillProgress = { ...b, lastKey: '41', usersDone: 41 };
    expect(await lifecycle.begin(resumed)).to.equal(resumed);
  });

  it('hands the stream the earlier of the backfill start position and the stored checkpoint', async () => {
    const lifecycle = new BackfillLifecycle(new FakeSource({ transactions: [] }), store);
    const b: BackfillProgress = { status: 'done', startPosition: '5', lastKey: null, usersDone: 0, usersTotal: 0, startedAt: new Date(), finishedAt: new Date() };
    expect(await lifecycle.handOff(b, null)).to.equal('5');
    expect((await store.getCheckpoint())?.position).to.equal('5');
    expect(await lifecycle.handOff(b, '3')).to.equal('3');
    expect((await store.getCheckpoint())?.position).to.equal('5');
    await store.saveCheckpoint('9');
    expect(await lifecycle.handOff(b, '9')).to.equal('5');
    expect((await store.getCheckpoint())?.position).to.equal('5');
  });
});
