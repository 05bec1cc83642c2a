/**
 * pg.backfill, mysql.backfill: the sidecar (`cidaas-sync run` as a child process) backfills the
 * shop schema's users from PostgreSQL or MariaDB into the emulator (its own process), and in the
 * same run a bare reference script does the same over the same data at the same concurrency
 * (bench/support/reference-backfill.ts), once before and once after
 * the sidecar; reference_users_per_s is their mean. users_per_s is
 * timed from the sidecar's own "backfill starting" to "backfill done" log lines; peak_rss_mb is the
 * sidecar's VmHWM (/proc) when the backfill is done: the peak of the whole process so far (it runs
 * dist/, as the image does: bench/run.ts builds it first). The CPU figures (µs per user, sidecar process vs this process running the reference)
 * hold better than the rates on a busy machine. BENCH.md goal: ratio >= 0.9 (issue 4: >= 0.8),
 * rss < 200.
 *
 * The sidecar runs with a known tenant limit (`cidaas.maxCallsPerSecond`, support/known-limit.ts
 * calls/s unless BENCH_MAX_CALLS_PER_SECOND says otherwise) that never binds here: the reference
 * script paces nothing, so the figure compares the pipelines, not the governor's slow start (that is
 * pg.rate_limit's subject). BENCH_MAX_CALLS_PER_SECOND=0 runs it as a first run against a tenant of
 * unknown limit (slow start from a few calls/s). The output says which as `known_limit` (0: none).
 */
import { loadavg } from 'node:os';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { seedUsers } from '../test/support/user-generator.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { BENCH_PREFIX, startBenchSource, type BenchKind } from './support/bench-source.js';
import { EmulatorProcess } from './support/emulator-process.js';
import { perSecond, round } from './support/figures.js';
import { knownLimit, knownLimitSettings } from './support/known-limit.js';
import { processCpuMs, processRunQueueWaitMs } from './support/process-cpu.js';
import type { ReferenceResult } from './support/reference-backfill.js';

const SIZES = { full: 200_000, small: 20_000 } as const;
/** `cidaas.concurrency` of the sidecar (the config default) and of the reference. */
const CONCURRENCY = 4;
const BATCH = 50;
/** The backfill bench on `kind`. */
export const backfillBench = (kind: BenchKind): Bench => ({
  name: `${BENCH_PREFIX[kind]}.backfill`,
  async run(scale: BenchScale): Promise<BenchFigures> {
    const users = SIZES[scale];
    const database = await startBenchSource(kind, 'bench_backfill');
    const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT });
    try {
      progress(`seeding ${users} shop users`);
      await seedUsers(database.db, users, 11);
      await database.analyze();

      const reference = async (): Promise<ReferenceResult> => {
        progress(`reference: SELECT pages of ${BATCH} + bulk POST, concurrency ${CONCURRENCY}`);
        const r = await database.referenceBackfill({ emulatorUrl: emulator.url, concurrency: CONCURRENCY, batchSize: BATCH });
        if (r.users !== users) throw new Error(`the reference pushed ${r.users} users, not ${users}`);
        await emulator.reset();
        return r;
      };
      // Before and after the sidecar, so that a change in the machine's load shows (the two differ)
      // and weighs on both sides alike (their mean is the reference).
      const before = await reference();

      progress(`sidecar: cidaas-sync run, concurrency ${CONCURRENCY}`);
      // The tenant's limit as known (cidaas.maxCallsPerSecond), so the figure is the pipeline's and
      // not the slow start's; 0: a first run, which starts at a few calls/s and grows by at least
      // 8 % a second against an emulator with no limit.
      const known = knownLimit();
      const sidecar = await database.startSidecar({
        emulatorUrl: emulator.url, concurrency: CONCURRENCY, ...knownLimitSettings(known),
      });
      try {
        const started = await sidecar.lineAt('backfill starting');
        const cpuBefore = processCpuMs(sidecar.pid);
        const waitBefore = processRunQueueWaitMs(sidecar.pid);
        const done = await sidecar.lineAt('backfill done');
        const cpuMs = processCpuMs(sidecar.pid) - cpuBefore;
        const waitMs = processRunQueueWaitMs(sidecar.pid) - waitBefore;
        const memory = sidecar.memory();
        const stored = await emulator.userCount();
        if (Number(done.line['users']) !== users || stored !== users) {
          throw new Error(`the sidecar backfilled ${String(done.line['users'])} users and the emulator holds ${stored}, not ${users}`);
        }
        await sidecar.stop();
        await emulator.reset();
        const after = await reference();
        const usersPerS = perSecond(users, done.at - started.at);
        const referencePerS = Math.round((perSecond(users, before.ms) + perSecond(users, after.ms)) / 2);
        return {
          users,
          users_per_s: usersPerS,
          reference_users_per_s: referencePerS,
          ratio: round(usersPerS / referencePerS, 3),
          peak_rss_mb: round(memory.peakRssMb, 1),
          rss_mb_at_end: round(memory.rssMb, 1),
          concurrency: CONCURRENCY,
          known_limit: known,
          seconds: round((done.at - started.at) / 1000, 1),
          reference_before_users_per_s: perSecond(users, before.ms),
          reference_after_users_per_s: perSecond(users, after.ms),
          cpu_us_per_user: Math.round((cpuMs * 1000) / users),
          reference_cpu_us_per_user: Math.round((((before.cpuMs ?? NaN) + (after.cpuMs ?? NaN)) * 1000) / (2 * users)),
          // How long the sidecar's threads waited for a CPU, per second of its backfill: the machine's load.
          runqueue_wait_ms_per_s: Math.round(waitMs / ((done.at - started.at) / 1000)),
          loadavg_1m: round(loadavg()[0]!, 1),
        };
      } finally {
        await sidecar.stop();
        await sidecar.config.remove();
      }
    } finally {
      await emulator.close();
      await database.close();
    }
  },
});
