import { expect } from 'chai';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { runChaos, type ChaosReport } from './chaos-run.js';

/** Options of {@link defineChaosSuite}. */
export interface ChaosSuiteOptions {
  /** The seed of everything random (workload, kill points, faults); printed in the title. */
  readonly seed: number;
  /** How long the workload runs. */
  readonly durationMs: number;
  /** kill -9s of the sidecar during the workload. */
  readonly kills: number;
  /** Seeded users; default 1000. */
  readonly users?: number;
}

/** The seed of a chaos run: CHAOS_SEED when set (to replay a failure), else a new one. */
export function chaosSeed(): number {
  const fromEnv = process.env['CHAOS_SEED'];
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Date.now() % 1_000_000;
}

/**
 * docs/architecture.md "What correct means here" under chaos, bounded for `npm test`: the chaos workload
 * against `kind` while the sidecar is killed -9 and cidaas fails transiently (see chaos-run.ts).
 * A failure names the seed and the command that replays it.
 */
export function defineChaosSuite(kind: ShopDbKind, o: ChaosSuiteOptions): void {
  // CHAOS_LOG_DIR keeps every sidecar's log and the details of each user that differs (chaos-evidence.ts).
  const logDir = process.env['CHAOS_LOG_DIR'];
  const replay = `CHAOS_SEED=${o.seed} CHAOS_LOG_DIR=/tmp/chaos-${o.seed} npx mocha test/integration/chaos/chaos-${kind}.test.ts`;
  describe(`chaos against ${kind} (seed ${o.seed}; replay: ${replay})`, function () {
    // The run's own bound is durationMs plus the catch-up; the rest is setup and teardown.
    this.timeout(o.durationMs + 180_000);
    let report: ChaosReport;

    before(async () => {
      report = await runChaos({ kind, seed: o.seed, durationMs: o.durationMs, kills: o.kills, users: o.users ?? 1000, catchUpTimeoutMs: 60_000, ...(logDir ? { logDir } : {}) });
    });

    const why = (): string => `seed ${o.seed}, replay with: ${replay}\nreport: ${JSON.stringify(report)}`;

    it(`loses nothing, leaves nothing stale and nothing extra after ${o.kills} kill -9s and transient cidaas faults`, () => {
      expect(report.kills, why()).to.equal(o.kills);
      expect(report.changes_applied, why()).to.be.greaterThan(o.kills * 10);
      expect({ lost: report.lost, stale: report.stale, extra: report.extra }, why()).to.deep.equal({ lost: 0, stale: 0, extra: 0 });
    });

    it('dead-letters exactly the users the emulator was told to FAIL, with its reason', () => {
      expect(report.doomed, why()).to.be.greaterThan(0);
      expect(report.unexpected_dead_letters, why()).to.deep.equal([]);
      expect(report.missing_dead_letters, why()).to.deep.equal([]);
      expect(report.dead_letters, why()).to.equal(report.doomed);
    });

    it('never shows cidaas a change of a rolled-back transaction', () => {
      expect(report.rolled_back_visible, why()).to.deep.equal([]);
    });

    it('exits only when killed, and cleanly on SIGTERM after catching up', () => {
      expect(report.unexpected_exits, why()).to.deep.equal([]);
      expect(report.final_exit, why()).to.equal('code 0 signal -');
    });
  });
}
