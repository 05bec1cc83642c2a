import { expect } from 'chai';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { PushSummary } from '../../../src/observability/push-summary.js';

describe('PushSummary: the stream\'s progress line instead of a line per push (#15)', () => {
  it('logs users, pushes, batches and the p99 latency of an interval at info level, then starts over', () => {
    const log = new MemoryLogger();
    const clock = { t: 1_000_000 };
    const s = new PushSummary(log, { now: () => clock.t });
    for (let i = 1; i <= 100; i++) s.settled(i * 10, i % 4 !== 0);
    s.batch();
    s.batch();
    clock.t += 30_000;
    s.flush();
    expect(log.lines).to.have.length(1);
    const [line] = log.lines;
    expect(line!.level).to.equal('info');
    expect(line!.message).to.match(/^pushed: 75 users \(100 changed users settled in 2 batches, p99 \d+ ms from the change\) in the last 30 s$/);
    expect(line!.fields).to.include({ users: 100, pushed: 75, batches: 2, seconds: 30 });
    // The 99th of 10..1000 ms is 990 ms; the bucket's upper bound is within 10 % above it.
    const p99 = line!.fields['p99Ms'] as number;
    expect(p99).to.be.within(990, 1089);

    clock.t += 30_000;
    s.settled(5, true);
    s.flush();
    expect(log.lines[1]!.fields).to.include({ users: 1, pushed: 1, batches: 0 });
    expect(log.lines[1]!.fields['p99Ms']).to.be.within(5, 6);
  });

  it('logs nothing for an interval without a settled user', () => {
    const log = new MemoryLogger();
    const s = new PushSummary(log);
    s.flush();
    s.stop();
    expect(log.lines).to.deep.equal([]);
  });

  it('logs what is left when stopped', () => {
    const log = new MemoryLogger();
    const s = new PushSummary(log, { intervalMs: 3_600_000 });
    s.start();
    s.settled(0, false);
    s.stop();
    expect(log.lines.map((l) => l.fields['users'])).to.deep.equal([1]);
  });
});
