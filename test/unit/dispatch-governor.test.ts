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

  it('slow-starts at one call/s per batch in flight and doubles every 250 ms the pace binds, until the first 429', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 8 });
    expect(g.rate).to.equal(slowStartRate(8)).and.equal(8);
    expect(g.settledRate, 'nothing learned yet').to.equal(null);
    await callsAt(g, clock, 3, 8);
    expect(g.rate).to.equal(16);
    await callsAt(g, clock, 5, 16);
    expect(g.rate).to.equal(32);
    expect(g.settledRate, 'a pace that bound is remembered').to.equal(32);
    g.onThrottled();
    await callsAt(g, clock, 200, 'pace');
    expect(g.rate, 'no doubling after the first 429').to.be.below(32);
  });

  it('does not grow while something else limits the calls', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 4 });
    await callsAt(g, clock, 10, 1);
    expect(g.rate).to.equal(4);
  });

  it('on a 429 paces at 90 % of the accepted rate, once per episode, then probes slowly', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, startCallsPerSecond: 30 });
    await callsAt(g, clock, 60, 30);
    const before = g.rate;
    expect(before).to.be.greaterThan(30);
    g.onThrottled();
    const after = g.rate;
    expect(after).to.be.closeTo(0.9 * 30, 2);
    // The 429s of the calls already in flight belong to the same episode.
    g.onThrottled();
    g.onThrottled();
    expect(g.rate).to.equal(after);
    expect(g.throttles).to.equal(3);
    expect(g.settledRate).to.equal(after);
    // Past the hold it climbs back to the accepted rate within seconds, then probes by 0.5 %/s.
    clock.t += 1500;
    await callsAt(g, clock, 100, 'pace');
    expect(g.rate).to.be.within(29, 31.5);
    await callsAt(g, clock, 300, 'pace');
    expect(g.rate).to.be.within(30, 33);
  });

  it('recovers fast towards the rate of the last 429 after a deeper cut', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, startCallsPerSecond: 20 });
    await callsAt(g, clock, 40, 20);
    g.onThrottled(3000);
    const cut = g.rate;
    // A Retry-After pause: no call starts until it has passed.
    const waiting = g.acquire();
    expect(await settledNow(waiting)).to.equal(false);
    clock.t += 3000;
    g.wakeAll();
    expect(await settledNow(waiting)).to.equal(true);
    g.onResponse(200);
    g.release();
    clock.t += 1100;
    await callsAt(g, clock, 20, cut);
    expect(g.rate).to.be.greaterThan(cut);
    expect(g.rate).to.be.at.most(20.5);
  });

  it('from a remembered pace, climbs 10 %/s while it binds and no 429 came', async () => {
    const { g, clock } = governorAt({ maxConcurrency: 64, startCallsPerSecond: 2 });
    expect(g.settledRate).to.equal(2);
    await callsAt(g, clock, 200, 'pace');
    expect(g.rate).to.be.greaterThan(5);
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
