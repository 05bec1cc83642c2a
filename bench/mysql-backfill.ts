/**
 * mysql.backfill: as pg.backfill, on MariaDB. The sidecar (`cidaas-sync run` as a child process)
 * backfills the shop schema's users from MariaDB into the emulator (its own process), and in the
 * same run a bare reference script does the same over the same data at the same concurrency
 * (bench/support/reference-backfill-mysql.ts). users_per_s is timed from the sidecar's own
 * "backfill starting" to "backfill done" log lines; peak_rss_mb is the sidecar's VmHWM (/proc)
 * when the backfill is done. BENCH.md goal: as for pg (ratio >= 0.9, rss < 200).
 */
import { loadavg } from 'node:os';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { seedUsers } from '../test/support/user-generator.js';
import { startBenchMariaDb } from './support/bench-mariadb.js';
import { startMysqlBenchSidecar } from './support/bench-mysql-sidecar.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { EmulatorProcess } from './support/emulator-process.js';
import { perSecond, round } from './support/figures.js';
import { processCpuMs, processRunQueueWaitMs } from './support/process-cpu.js';
import { referenceBackfillMysql } from './support/reference-backfill-mysql.js';

const SIZES = { full: 200_000, small: 20_000 } as const;
/** `cidaas.concurrency` of the sidecar (the config default) and of the reference. */
const CONCURRENCY = 4;
const BATCH = 50;

export const mysqlBackfillBench: Bench = {
  name: 'mysql.backfill',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const users = SIZES[scale];
    const database = await startBenchMariaDb('bench_backfill');
    const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT });
    try {
      progress(`seeding ${users} shop users`);
      await seedUsers(database.db, users, 11);
      await database.db.query('ANALYZE TABLE users, credentials, totp_devices');

      progress(`reference: SELECT pages of ${BATCH} + bulk POST, concurrency ${CONCURRENCY}`);
      const ref = await referenceBackfillMysql({ url: database.url, emulatorUrl: emulator.url, concurrency: CONCURRENCY, batchSize: BATCH });
      if (ref.users !== users) throw new Error(`the reference pushed ${ref.users} users, not ${users}`);
      await emulator.reset();

      progress(`sidecar: cidaas-sync run, concurrency ${CONCURRENCY}`);
      const sidecar = await startMysqlBenchSidecar({ database, emulatorUrl: emulator.url, concurrency: CONCURRENCY });
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
        const usersPerS = perSecond(users, done.at - started.at);
        const referencePerS = perSecond(ref.users, ref.ms);
        return {
          users,
          users_per_s: usersPerS,
          reference_users_per_s: referencePerS,
          ratio: round(usersPerS / referencePerS, 3),
          peak_rss_mb: round(memory.peakRssMb, 1),
          rss_mb_at_end: round(memory.rssMb, 1),
          concurrency: CONCURRENCY,
          seconds: round((done.at - started.at) / 1000, 1),
          reference_seconds: round(ref.ms / 1000, 1),
          cpu_us_per_user: Math.round((cpuMs * 1000) / users),
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
};
