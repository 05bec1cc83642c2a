import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { retryTransientWrite } from '../../../src/state/retry-transient-write.js';

const busy = (): SyncError => new SyncError('STATE_STORE', 'the state store at /x/state.db is locked by another process (saveCheckpoint): database is locked [SQLITE_BUSY]', {
  transient: true, hint: 'another process holds the write lock',
});

/** A write that fails with `errors` in turn, then returns 'stored'. */
function failing(errors: Error[]): { write: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    write: async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'stored';
    },
    calls: () => calls,
  };
}

describe('retryTransientWrite: a state store locked or restarting for a while is waited for, not fatal (CI finding)', () => {
  it('retries a transient failure until the write goes through, warning once and saying when it works again', async () => {
    const log = new MemoryLogger();
    const w = failing([busy(), busy(), busy()]);
    expect(await retryTransientWrite(w.write, { log, what: 'the checkpoint', budgetMs: 10_000 })).to.equal('stored');
    expect(w.calls()).to.equal(4);
    expect(log.lines.map((l) => l.level)).to.deep.equal(['warn', 'info']);
    expect(log.lines[0]!.message).to.match(/^storing the checkpoint failed; retrying for up to 10 s before stopping$/);
    expect(log.lines[0]!.fields['hint']).to.equal('another process holds the write lock');
    expect(log.lines[1]!.fields['failures']).to.equal(3);
  });

  it('throws a permanent failure at once', async () => {
    const full = new SyncError('STATE_STORE', 'the disk is full', { transient: false });
    const w = failing([full]);
    let caught: unknown;
    try { await retryTransientWrite(w.write, { log: new MemoryLogger(), what: 'the checkpoint' }); } catch (err) { caught = err; }
    expect(caught).to.equal(full);
    expect(w.calls()).to.equal(1);
  });

  it('throws an error that is not a SyncError at once (unknown errors are not retried)', async () => {
    const w = failing([new TypeError('a bug')]);
    let caught: unknown;
    try { await retryTransientWrite(w.write, { log: new MemoryLogger(), what: 'the checkpoint' }); } catch (err) { caught = err; }
    expect(caught).to.be.instanceOf(TypeError);
    expect(w.calls()).to.equal(1);
  });

  it('gives up with the last transient failure once the budget is spent', async () => {
    const errors = Array.from({ length: 50 }, busy);
    const w = failing(errors);
    let caught: unknown;
    try { await retryTransientWrite(w.write, { log: new MemoryLogger(), what: 'the checkpoint', budgetMs: 600 }); } catch (err) { caught = err; }
    expect(caught).to.be.instanceOf(SyncError);
    // 250 ms, then 500 ms would pass the 600 ms budget: two calls.
    expect(w.calls()).to.equal(2);
  });

  it('stops retrying once the caller says it stopped', async () => {
    let stopped = false;
    const w = failing([busy(), busy(), busy()]);
    const p = retryTransientWrite(async () => { const r = await w.write(); return r; }, { log: new MemoryLogger(), what: 'the checkpoint', stopped: () => stopped });
    stopped = true;
    let caught: unknown;
    try { await p; } catch (err) { caught = err; }
    expect(caught).to.be.instanceOf(SyncError);
    expect(w.calls()).to.equal(1);
  });
});
