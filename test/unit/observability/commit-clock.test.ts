import { expect } from 'chai';
import { CommitClock } from '../../../src/observability/commit-clock.js';

const byNumber = (a: string, b: string): number => Number(a) - Number(b);

describe('CommitClock (lag in the source commit time, #19)', () => {
  it('measures from the commit of the oldest transaction not yet checkpointed', () => {
    const c = new CommitClock(byNumber);
    c.committed('10', new Date(1_000));
    c.committed('20', new Date(5_000));
    c.committed('30', new Date(9_000));
    expect(c.lagSeconds(11_000)).to.equal(10);
    c.checkpointed('10', 11_000);
    expect(c.lagSeconds(11_000)).to.equal(6);
    c.checkpointed('25', 12_000);
    expect(c.lagSeconds(12_000)).to.equal(3);
    c.checkpointed('30', 13_000);
    expect(c.lagSeconds(13_000)).to.equal(0);
    expect(c.lastCommitMs).to.equal(9_000);
  });

  it('notes when the checkpoint last moved, not when it was saved unchanged', () => {
    const c = new CommitClock(byNumber);
    expect(c.lastAdvanceMs).to.equal(null);
    c.checkpointed('5', 100);
    c.checkpointed('5', 900);
    expect(c.lastAdvanceMs).to.equal(100);
    c.checkpointed('6', 1000);
    expect(c.lastAdvanceMs).to.equal(1000);
  });

  it('ignores transactions without a commit time and never reads higher than the truth when full', () => {
    const c = new CommitClock(byNumber, 2);
    c.committed('1', null);
    expect(c.lagSeconds(5_000)).to.equal(0);
    c.committed('2', new Date(1_000));
    c.committed('3', new Date(2_000));
    c.committed('4', new Date(3_000));
    c.checkpointed('2', 4_000);
    // '3' was replaced by '4' (capacity 2): the lag reads from 2,000 ms, the true oldest would be 2,000 too.
    expect(c.lagSeconds(4_000)).to.be.at.most(2);
    c.checkpointed('4', 4_000);
    expect(c.lagSeconds(4_000)).to.equal(0);
  });

  it('compacts its memory after many checkpoints without losing order', () => {
    const c = new CommitClock(byNumber);
    for (let i = 1; i <= 5000; i++) c.committed(String(i), new Date(i));
    c.checkpointed('4000', 6000);
    expect(c.lagSeconds(6001)).to.equal((6001 - 4001) / 1000);
  });
});
