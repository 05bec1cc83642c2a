import { expect } from 'chai';
import { SyncEngine } from '../../src/sync-engine.js';
import type { DirtyMark } from '../../src/translator.js';
import type { RowExpectation } from '../../src/digest/row-expectation.js';

const cmp = (a: string, b: string): number => Number(a) - Number(b);
const marks = (...keys: string[]): DirtyMark[] => keys.map((key) => ({ key, expectation: null }));

function engine(opts: { checkpoint?: string | null; max?: number; now?: () => number } = {}): SyncEngine {
  return new SyncEngine({ maxDirtyUsers: opts.max ?? 1000, comparePositions: cmp, checkpoint: opts.checkpoint ?? null, now: opts.now });
}

function tx(e: SyncEngine, position: string, ...keys: string[]): void {
  e.begin();
  e.mark(marks(...keys));
  e.commit(position);
}

describe('sync engine: watermark', () => {
  it('is the last commit when nothing is pending', () => {
    const e = engine();
    e.begin();
    e.commit('10');
    expect(e.watermark()).to.equal('10');
  });

  it('stays before the oldest transaction with an unpushed user', () => {
    const e = engine();
    tx(e, '10', 'a');
    tx(e, '20', 'b');
    tx(e, '30', 'c');
    expect(e.watermark()).to.equal(null);
    const taken = e.take(10);
    expect(taken.map((u) => u.key)).to.deep.equal(['a', 'b', 'c']);
    e.complete(taken.filter((u) => u.key !== 'b'));
    // a (10) is done, b (20) is not: everything up to 10 is safe.
    expect(e.watermark()).to.equal('10');
    e.complete(taken.filter((u) => u.key === 'b'));
    expect(e.watermark()).to.equal('30');
  });

  it('does not pass a transaction that is still open', () => {
    const e = engine();
    tx(e, '10', 'a');
    e.complete(e.take(10));
    e.begin();
    e.mark(marks('b'));
    e.complete(e.take(10));
    expect(e.watermark()).to.equal('10');
    e.commit('20');
    expect(e.watermark()).to.equal('20');
  });

  it('never returns a position at or before the stored checkpoint', () => {
    const e = engine({ checkpoint: '50' });
    tx(e, '60');
    expect(e.watermark()).to.equal('60');
    e.checkpointed('60');
    expect(e.watermark()).to.equal(null);
    e.idle('55');
    expect(e.watermark()).to.equal(null);
  });

  it('follows idle positions when nothing is pending', () => {
    const e = engine();
    tx(e, '10');
    e.idle('15');
    expect(e.watermark()).to.equal('15');
  });

  it('ignores idle positions while a user is pending until it is pushed', () => {
    const e = engine();
    tx(e, '10', 'a');
    e.idle('15');
    expect(e.watermark()).to.equal(null);
    e.complete(e.take(1));
    expect(e.watermark()).to.equal('15');
  });

  it('keeps the older transaction pending when a requeued user merges with a newer change', () => {
    const e = engine();
    tx(e, '10', 'a');
    const [a] = e.take(1);
    tx(e, '20', 'a');
    tx(e, '30', 'b');
    e.requeue(a!, 0);
    expect(e.dirtyCount).to.equal(2);
    const both = e.take(10);
    e.complete(both.filter((u) => u.key === 'b'));
    expect(e.watermark()).to.equal(null);
    e.complete(both.filter((u) => u.key === 'a'));
    expect(e.watermark()).to.equal('30');
  });

  it('a user changed while in flight is pushed again after the first push completes', () => {
    const e = engine();
    tx(e, '10', 'a');
    const first = e.take(10);
    tx(e, '20', 'a');
    expect(e.take(10)).to.have.length(0);
    e.complete(first);
    expect(e.watermark()).to.equal('10');
    const second = e.take(10);
    expect(second.map((u) => u.key)).to.deep.equal(['a']);
    e.complete(second);
    expect(e.watermark()).to.equal('20');
  });
});

describe('sync engine: coalescing and backpressure', () => {
  it('coalesces many changes to one user into one dirty entry', () => {
    const e = engine();
    for (let i = 1; i <= 1000; i++) tx(e, String(i), 'a');
    expect(e.dirtyCount).to.equal(1);
    const taken = e.take(50);
    expect(taken).to.have.length(1);
    e.complete(taken);
    expect(e.watermark()).to.equal('1000');
  });

  it('keeps only the newest expectation of a row', () => {
    const e = engine();
    const exp = (digest: string): RowExpectation => ({ role: 'users', identityColumns: ['id'], identity: '1', columns: ['email'], digest });
    e.begin();
    e.mark([{ key: '1', expectation: exp('old') }]);
    e.commit('1');
    e.begin();
    e.mark([{ key: '1', expectation: exp('new') }]);
    e.commit('2');
    const [u] = e.take(1);
    expect([...u!.expectations.values()].map((x) => x.digest)).to.deep.equal(['new']);
  });

  it('waitForRoom blocks while the dirty set is full and resumes when users complete', async () => {
    const e = engine({ max: 2 });
    tx(e, '1', 'a', 'b');
    let resumed = false;
    const waiting = e.waitForRoom().then(() => { resumed = true; });
    await Promise.resolve();
    expect(resumed).to.equal(false);
    e.complete(e.take(1));
    await waiting;
    expect(resumed).to.equal(true);
  });

  it('does not take a requeued user before its backoff ends', () => {
    let now = 1000;
    const e = engine({ now: () => now });
    tx(e, '1', 'a');
    const [a] = e.take(1);
    e.requeue(a!, 500);
    expect(e.take(1)).to.have.length(0);
    expect(e.nextReadyIn()).to.equal(500);
    now += 500;
    const again = e.take(1);
    expect(again).to.have.length(1);
    expect(again[0]!.attempts).to.equal(1);
  });
});

describe('sync engine: debounce', () => {
  it('takes a user only once it has been quiet, or once overdue', () => {
    let now = 0;
    const e = new SyncEngine({ maxDirtyUsers: 10, comparePositions: cmp, checkpoint: null, quietMs: 200, maxDelayMs: 1000, now: () => now });
    for (let t = 0; t < 1000; t += 1) {
      now = t;
      tx(e, String(t + 1), 'a');
      expect(e.take(10), `taken at ${t} ms`).to.have.length(0);
    }
    now = 1000;
    expect(e.take(10)).to.have.length(1);
  });

  it('takes a user 200 ms after its last change when the changes stop', () => {
    let now = 0;
    const e = new SyncEngine({ maxDirtyUsers: 10, comparePositions: cmp, checkpoint: null, quietMs: 200, maxDelayMs: 1000, now: () => now });
    tx(e, '1', 'a');
    now = 100;
    tx(e, '2', 'a');
    now = 299;
    expect(e.take(10)).to.have.length(0);
    expect(e.nextReadyIn()).to.equal(1);
    now = 300;
    expect(e.take(10)).to.have.length(1);
  });
});

describe('sync engine: forced pushes', () => {
  it('keeps force and a root delete through coalescing and requeue', () => {
    const e = engine();
    e.begin();
    e.mark([{ key: 'a', expectation: null, rootDeleted: true }], true);
    e.commit('1');
    const [a] = e.take(1);
    expect(a!.force).to.equal(true);
    expect(a!.rootDeleted).to.equal(true);
    e.complete([a!]);
    tx(e, '2', 'b');
    const [b] = e.take(1);
    expect(b!.force).to.equal(false);
    e.requeue(b!, 0, true);
    expect(e.take(1)[0]!.force, 'forced after a transient failure').to.equal(true);
  });
});
