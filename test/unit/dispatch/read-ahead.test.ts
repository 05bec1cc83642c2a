import { expect } from 'chai';
import { ReadAhead } from '../../../src/dispatch/read-ahead.js';

/** True when `p` settled before the event loop turned once. */
async function settledNow(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => { settled = true; });
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe('ReadAhead: the stream batches read ahead of their governor slot (#15)', () => {
  it('lets `limit` batches in, holds the next until one leaves, and counts them', async () => {
    const r = new ReadAhead(2);
    const signal = { aborted: false };
    expect(await r.enter(signal)).to.equal(true);
    expect(await r.enter(signal)).to.equal(true);
    expect(r.count).to.equal(2);
    const third = r.enter(signal);
    expect(await settledNow(third), 'the third waits').to.equal(false);
    r.leave();
    expect(await third).to.equal(true);
    expect(r.count).to.equal(2);
  });

  it('answers false to a waiter once the signal is aborted and woken, taking no room', async () => {
    const r = new ReadAhead(1);
    const signal = { aborted: false };
    await r.enter(signal);
    const waiting = r.enter(signal);
    signal.aborted = true;
    r.wakeAll();
    expect(await waiting).to.equal(false);
    expect(r.count).to.equal(1);
    expect(await r.enter(signal)).to.equal(false);
  });

  it('allows one batch at least', async () => {
    const r = new ReadAhead(0);
    expect(await r.enter({ aborted: false })).to.equal(true);
    expect(await settledNow(r.enter({ aborted: false }))).to.equal(false);
  });
});
