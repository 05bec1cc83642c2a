import { expect } from 'chai';
import { expandSpec, parseMochaSummary, planJobs } from '../../test-plan.js';

describe('npm test: the parallel jobs (test/test-plan.ts)', () => {
  describe('planJobs', () => {
    const on15 = (...files: string[]): { major: number; file: string }[] => files.map((file) => ({ major: 15, file }));

    it('gives the longest files out first, each to the job with the least work, so the jobs end together', () => {
      const durations = { a: 600, b: 500, c: 400, d: 300, e: 200, f: 100 };
      const plan = planJobs(on15('a', 'b', 'c', 'd', 'e', 'f'), 2, durations, [15]);
      // a|b, then c to b's job (500), d to a's (600 < 900), e to a's (900 = 900, the first), f to b's.
      expect(plan.map((job) => job.runs[0]!.files)).to.deep.equal([['a', 'd', 'e'], ['b', 'c', 'f']]);
      expect(plan.map((job) => job.expectedMs)).to.deep.equal([1100, 1000]);
    });

    it('counts a file without a recorded duration as the median, placed last on the job then shortest', () => {
      const plan = planJobs(on15('long', 'new-1', 'new-2', 'short', 'mid'), 2, { long: 1000, short: 100, mid: 300 }, [15]);
      // long | mid, short (400); new-1 (300) to the second job (700), new-2 (300) to it too (700 < 1000).
      expect(plan.map((job) => job.runs[0]!.files)).to.deep.equal([['long'], ['mid', 'new-1', 'new-2', 'short']]);
    });

    it('runs each job version by version, in the order given, its files sorted by name within one', () => {
      const files = [...on15('x', 'y'), { major: 18, file: 'x' }];
      const plan = planJobs(files, 2, { x: 500, y: 700 }, [15, 18]);
      expect(plan.map((job) => job.runs)).to.deep.equal([
        [{ major: 15, files: ['y'] }],
        [{ major: 15, files: ['x'] }, { major: 18, files: ['x'] }],
      ]);
    });

    it('makes no more jobs than there are files, and one job with them all for TEST_JOBS=1', () => {
      expect(planJobs(on15('only'), 4, {}, [15])).to.have.length(1);
      expect(planJobs(on15('a', 'b', 'c'), 1, { a: 1, b: 2, c: 3 }, [15])).to.deep.equal([{ expectedMs: 6, runs: [{ major: 15, files: ['a', 'b', 'c'] }] }]);
    });
  });

  describe('expandSpec', () => {
    const files = ['test/unit/a.test.ts', 'test/unit/x/b.test.ts', 'test/unit/x/helper.ts', 'test/integration/postgres/c.test.ts', 'test/integration/postgres/deep/d.test.ts'];

    it('matches ** across directories (none included), * and ? within one name', () => {
      expect(expandSpec('test/unit/**/*.test.ts', files)).to.deep.equal(['test/unit/a.test.ts', 'test/unit/x/b.test.ts']);
      expect(expandSpec('test/integration/postgres/*.test.ts', files)).to.deep.equal(['test/integration/postgres/c.test.ts']);
      expect(expandSpec('test/unit/?.test.ts', files)).to.deep.equal(['test/unit/a.test.ts']);
    });

    it('takes a name without wildcards as it is, listed or not (mocha says when it does not exist)', () => {
      expect(expandSpec('test/unit/x/helper.ts', files)).to.deep.equal(['test/unit/x/helper.ts']);
      expect(expandSpec('test/nowhere.test.ts', files)).to.deep.equal(['test/nowhere.test.ts']);
    });

    it('reads dots and brackets literally', () => {
      expect(expandSpec('test/unit/*.test.ts', ['test/unit/aXtestXts', 'test/unit/a.test.ts'])).to.deep.equal(['test/unit/a.test.ts']);
      expect(expandSpec('test/(a)/*.ts', ['test/(a)/b.ts', 'test/a/b.ts'])).to.deep.equal(['test/(a)/b.ts']);
    });
  });

  describe('parseMochaSummary', () => {
    it('reads passing, pending and failing, with or without colours', () => {
      expect(parseMochaSummary('  ✔ a\n\n  12 passing (3s)\n  2 pending\n  1 failing\n\n  1) a suite\n')).to.deep.equal({ passing: 12, pending: 2, failing: 1 });
      expect(parseMochaSummary('\u001b[92m \u001b[0m\u001b[32m 7 passing\u001b[0m\u001b[90m (1m)\u001b[0m\n')).to.deep.equal({ passing: 7, pending: 0, failing: 0 });
    });

    it('reads nothing from a run that crashed before its summary', () => {
      expect(parseMochaSummary('Error: Cannot find module x\n    at 3 passing.ts:1\n')).to.equal(undefined);
    });
  });
});
