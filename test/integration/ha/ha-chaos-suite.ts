import { expect } from 'chai';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { chaosSeed } from '../chaos/chaos-suite.js';
import { runHaChaos, type Disruption, type HaChaosReport } from './ha-chaos-run.js';

/**
 * Issue #14 under chaos, bounded for `npm test`: two replicas, the active one killed, paused past
 * its lease and stopped, in turns, while the chaos workload changes users (see ha-chaos-run.ts).
 */
export function defineHaChaosSuite(kind: ShopDbKind, disruptions: readonly Disruption[]): void {
  const seed = chaosSeed();
  const replay = `CHAOS_SEED=${seed} npx mocha test/integration/ha/ha-chaos-${kind}.test.ts`;
  describe(`two HA replicas against ${kind} under chaos (#14) (seed ${seed}; replay: ${replay})`, function () {
    this.timeout(240_000);
    let report: HaChaosReport;
    before(async () => {
      report = await runHaChaos({ kind, seed, disruptions });
    });
    const why = (): string => `seed ${seed}, replay with: ${replay}\nreport: ${JSON.stringify(report)}`;
    const want = (d: Disruption): number => disruptions.filter((x) => x === d).length;

    it('fails over after every SIGKILL, SIGSTOP past the lease and SIGTERM of the active replica', () => {
      expect(report.disruptions, why()).to.deep.equal({ kill: want('kill'), pause: want('pause'), term: want('term') });
      expect(report.failoverSeconds.length, why()).to.equal(disruptions.length);
      expect(report.unexpected_exits, why()).to.deep.equal([]);
      expect(report.term_exits.every((c) => c === 0), why()).to.equal(true);
    });

    it('never lets two replicas push at once: the emulator saw each fencing token call only before the next one began', () => {
      expect(report.replicas.terms.length, why()).to.be.greaterThan(disruptions.length);
      expect(report.replicas.overlaps, why()).to.deep.equal([]);
    });

    it('loses nothing, leaves nothing stale and nothing extra after catching up', () => {
      expect(report.changes_applied, why()).to.be.greaterThan(disruptions.length * 5);
      expect({ lost: report.lost, stale: report.stale, extra: report.extra, unexpectedDeadLetters: report.unexpected_dead_letters }, why())
        .to.deep.equal({ lost: 0, stale: 0, extra: 0, unexpectedDeadLetters: 0 });
    });

    it('has a replica paused past its lease write nothing once resumed, step down and stay as standby', () => {
      expect(report.paused.length, why()).to.equal(want('pause'));
      for (const p of report.paused) expect(p, why()).to.deep.equal({ steppedDown: true, stillRunning: true, otherErrors: [] });
    });
  });
}
