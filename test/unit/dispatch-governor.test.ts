import { expect } from 'chai';
import { DispatchGovernor, slowStartRate } from '../../src/dispatch/dispatch-governor.js';

/** A governor on a clock the test moves. */
function governorAt(options: Omit<ConstructorParameters<typeof DispatchGovernor>[0], 'now'>): { g: DispatchGovernor; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  return { g: new DispatchGovernor({ ...options, now: () => clock.t }), clock };
}

/** True when `p` settled before the event loop turned once. */
async function settledNow(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => { settled = true; });
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

/** Starts and answers `n` calls at `rate` calls/s (or at the governor's pace) on the fake clock, each answered `status`. */
async function callsAt(g: DispatchGovernor, clock: { t: number }, n: number, rate: number | 'pace', status = 200): Promise<void> {
  for (let i = 0; i < n; i++) {
    const every = 1000 / (rate === 'pace' ? g.rate : rate);
    const acquired = g.acquire();
    expect(await settledNow(acquired), `call ${i} at ${rate}/s waits on the pace`).to.equal(true);
    g.onResponse(status);
    if (status === 429) g.onThrottled();
    g.release();
    clock.t += every;
  }
}

describe('DispatchGovernor (#15)', () => {
  it('paces the very first calls at the configured maxCallsPerSecond: no unpaced burst at start', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 16, maxCallsPerSecond: 20 });
    expect(g.rate).to.equal(20);
    expect(await settledNow(g.acquire())).to.equal(true);
    const second = g.acquire();
    expect(await settledNow(second), 'a second call at the same instant').to.equal(false);
    clock.t += 50;
    g.wakeAll();
    expect(await settledNow(second), 'the second call one slot (50 ms) later').to.equal(true);
  });

  it('never grows above the configured limit, however long the pace binds', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 16, maxCallsPerSecond: 20 });
    await callsAt(g, clock, 200, 20);
    expect(g.rate).to.equal(20);
  });

  it('slow-starts at one call/s per batch in flight, grows by half that in a second, then by a quarter of the last growth (at least 8 % a second), until the first 429', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 8 });
    expect(g.rate).to.equal(slowStartRate(8)).and.equal(8);
    expect(g.settledRate, 'nothing learned yet').to.equal(null);
    await callsAt(g, clock, 9, 8);
    expect(g.rate).to.equal(12);
    await callsAt(g, clock, 13, 12);
    expect(g.rate).to.equal(13);
    expect(g.settledRate, 'a pace that bound is remembered').to.equal(13);
    clock.t += 200;
    g.onThrottled();
    expect(g.rate, 'a 429 cuts the pace').to.be.below(13);
    const cut = g.rate;
    await callsAt(g, clock, 40, 'pace');
    expect(g.rate, 'no slow-start growth after the first 429: it probes by 1 % a second').to.be.within(cut * 1.02, cut * 1.1);
  });

  it('counts a slow start\'s first second from the first call, not from the wait before it (the first read, the token)', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 8 });
    clock.t += 700;
    await callsAt(g, clock, 9, 8);
    expect(g.rate, 'grown one second after the first call').to.equal(12);
  });

  it('does not grow while something else limits the calls', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 4 });
    await callsAt(g, clock, 10, 1);
    expect(g.rate).to.equal(4);
  });

  it('on a 429 paces under the accepted rate, once per episode', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, startCallsPerSecond: 30 });
    await callsAt(g, clock, 60, 30);
    const before = g.rate;
    expect(before, 'a remembered pace probes up while it binds').to.be.greaterThan(30);
    g.onThrottled();
    const after = g.rate;
    expect(after).to.be.within(0.7 * 30, 0.9 * before);
    // The 429s of the calls already in flight belong to the same episode.
    g.onThrottled();
    g.onThrottled();
    expect(g.rate).to.equal(after);
    expect(g.throttles).to.equal(3);
    expect(g.settledRate).to.equal(after);
  });

  it('a 429 met by light traffic (the pace not binding) only trims the pace, not down to the traffic\'s rate', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, startCallsPerSecond: 30 });
    // Two calls a second against a pace of 30: cidaas's limit is shared, or the 429 was a fault.
    await callsAt(g, clock, 20, 2);
    const before = g.rate;
    g.onThrottled();
    expect(g.rate, 'cut as at the edge, not to ~2 calls/s').to.be.within(0.85 * before, 0.95 * before);
  });

  it('a Retry-After pauses every new call until it has passed, and keeps a slot of the pace for each retry', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, maxCallsPerSecond: 20 });
    await callsAt(g, clock, 40, 20);
    g.onThrottled(3000);
    g.onThrottled(3000);
    const slot = 1000 / g.rate;
    const waiting = g.acquire();
    expect(await settledNow(waiting)).to.equal(false);
    clock.t += 3000;
    g.wakeAll();
    expect(await settledNow(waiting), 'the two retries go first').to.equal(false);
    clock.t += 2 * slot;
    g.wakeAll();
    expect(await settledNow(waiting)).to.equal(true);
  });

  it('calls that start late keep the schedule and catch up, but idle time is not saved up into a burst', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, maxCallsPerSecond: 20 });
    expect(g.tryAcquire()).to.equal(0);
    clock.t += 70;
    expect(g.tryAcquire(), 'a call 20 ms late').to.equal(0);
    expect(g.tryAcquire(), 'the next on its slot').to.equal(30);
    clock.t += 30 + 200;
    for (let i = 0; i < 5; i++) expect(g.tryAcquire(), `call ${i} of those 200 ms late catches up`).to.equal(0);
    expect(g.tryAcquire(), 'then the schedule again').to.equal(50);
    clock.t += 5000;
    expect(g.tryAcquire()).to.equal(0);
    expect(g.tryAcquire(), 'after an idle gap, one slot again').to.equal(50);
  });

  it('with the pace found by 429s (at the edge of the allowance), calls that start late catch up one slot only', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, startCallsPerSecond: 20 });
    expect(g.tryAcquire()).to.equal(0);
    clock.t += 50 + 30;
    expect(g.tryAcquire(), 'a call 30 ms late').to.equal(0);
    expect(g.tryAcquire(), 'the next on its slot').to.equal(20);
    clock.t += 20 + 200;
    expect(g.tryAcquire()).to.equal(0);
    expect(g.tryAcquire(), 'no catching up after 200 ms').to.equal(50);
  });

  it('holds batches beyond maxConcurrency', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 1, maxCallsPerSecond: 1000 });
    expect(await settledNow(g.acquire())).to.equal(true);
    const second = g.acquire();
    clock.t += 1;
    expect(await settledNow(second)).to.equal(false);
    g.release();
    expect(await settledNow(second)).to.equal(true);
  });
});
