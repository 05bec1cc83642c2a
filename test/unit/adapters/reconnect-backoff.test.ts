import { expect } from 'chai';
import { ReconnectBackoff } from '../../../adapters/reconnect-backoff.js';

describe('ReconnectBackoff: the reconnect delay both log readers share', () => {
  it('doubles the delay after every failure up to the maximum and waits within its upper half', () => {
    const b = new ReconnectBackoff(100, 500);
    const steps = Array.from({ length: 5 }, () => b.next());
    expect(steps.map((s) => s.delayMs)).to.deep.equal([100, 200, 400, 500, 500]);
    for (const s of steps) expect(s.waitMs).to.be.within(s.delayMs / 2, s.delayMs);
  });

  it('starts from the minimum again once a session streams', () => {
    const b = new ReconnectBackoff(100, 1000);
    b.next();
    b.next();
    b.reset();
    expect(b.next().delayMs).to.equal(100);
  });

  it('defaults to 500 ms .. 30 s', () => {
    const b = new ReconnectBackoff();
    const delays = Array.from({ length: 10 }, () => b.next().delayMs);
    expect(delays[0]).to.equal(500);
    expect(delays.at(-1)).to.equal(30_000);
  });
});
