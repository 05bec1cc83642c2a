import { expect } from 'chai';
import { fractionOfLimit, simulateBackfill } from '../support/governor-simulation.js';

/** A tenant as the bench's: 20 calls/s (a token bucket of one second's worth, starting full), 200 ms a call. */
const TENANT = { limit: () => 20, latencyMs: 200 } as const;

describe('DispatchGovernor against a simulated rate-limited tenant (#15)', () => {
  it('with the limit configured, uses all of it without a 429, even when its timers fire late', () => {
    for (const batches of [40, 400]) {
      const run = simulateBackfill({ governor: { maxConcurrency: 16, maxCallsPerSecond: 20 }, tenant: TENANT, batches, timerLateMs: 4 });
      expect(run.throttled, `${batches} batches`).to.equal(0);
      expect(fractionOfLimit(run, 20), `${batches} batches`).to.be.at.least(0.98);
    }
  });

  it('with the limit unknown, slow-starts and converges just under it: >= 95 % of it with < 1 % 429s', () => {
    for (const batches of [40, 400, 2000]) {
      const run = simulateBackfill({ governor: { maxConcurrency: 16 }, tenant: TENANT, batches });
      expect(fractionOfLimit(run, 20), `${batches} batches`).to.be.at.least(0.95);
      expect(run.throttled / run.calls, `${batches} batches`).to.be.below(0.01);
      expect(run.startsDuringPause, 'no call starts during a Retry-After pause').to.equal(0);
    }
    const long = simulateBackfill({ governor: { maxConcurrency: 16 }, tenant: TENANT, batches: 2000 });
    // After the first episodes it stays near the limit: every second from the 10th on within 85-130 % of it.
    for (const rate of long.rates.slice(10)) expect(rate).to.be.within(17, 26);
    expect(long.governor.settledRate).to.be.within(17, 26);
  });

  it('from a remembered pace, probes up to the limit and stays just under it', () => {
    const run = simulateBackfill({ governor: { maxConcurrency: 16, startCallsPerSecond: 18 }, tenant: TENANT, batches: 2000 });
    expect(fractionOfLimit(run, 20)).to.be.at.least(0.95);
    expect(run.throttled / run.calls).to.be.below(0.01);
  });

  it('follows a limit that drops mid-run (the tenant throttled) and recovers when it rises again', () => {
    // 20 calls/s, 10 from the 40th second to the 80th, then 20 again.
    const limit = (t: number): number => (t >= 40_000 && t < 80_000 ? 10 : 20);
    const run = simulateBackfill({ governor: { maxConcurrency: 16 }, tenant: { limit, latencyMs: 200 }, batches: 3000 });
    const at = (second: number): number => run.rates[second - 1]!;
    expect(at(39)).to.be.within(17, 26);
    // Within seconds of the drop it paces near the new limit, and stays there.
    for (let s = 48; s <= 80; s++) expect(at(s), `second ${s}`).to.be.within(8, 13.5);
    // Back at 20 it climbs again: most of the way within 40 s.
    expect(at(125)).to.be.within(16, 26);
    expect(run.startsDuringPause).to.equal(0);
    // 429s: a few per episode, not a storm.
    expect(run.throttled / run.calls).to.be.below(0.02);
  });

  it('with a configured limit above the tenant\'s real one, backs off below the configured one and returns to it when the tenant allows', () => {
    const limit = (t: number): number => (t < 30_000 ? 12 : 20);
    const run = simulateBackfill({ governor: { maxConcurrency: 16, maxCallsPerSecond: 20 }, tenant: { limit, latencyMs: 200 }, batches: 2000 });
    for (let s = 10; s <= 30; s++) expect(run.rates[s - 1]!, `second ${s}`).to.be.within(9.5, 15);
    expect(Math.max(...run.rates), 'never above the configured limit').to.be.at.most(20);
    expect(run.rates[run.rates.length - 1]).to.be.within(18, 20);
  });
});
