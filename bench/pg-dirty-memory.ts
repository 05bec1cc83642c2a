/**
 * pg.dirty_memory: the sidecar's memory with 200,000 users dirty at once. The sidecar
 * (`cidaas-sync run` as a child process, engine.maxDirtyUsers 250,000) streams from an empty
 * shop schema; the emulator (in this process) holds every bulk call for ten minutes (a delay
 * fault), so once the first batches are in flight nothing more is pushed; then 200,000 users are
 * inserted with their credentials and TOTP devices (transactions of 1000 users). When the
 * sidecar's pending-users gauge reaches 200,000, peak_rss_mb is its VmHWM (/proc): the peak of
 * the whole process (running dist/, as the image does); heap_used_mb is from its /metrics (no forced GC), and the
 * idle_* figures are the same before the inserts. BENCH.md goal: < 200.
 *
 * The engine alone is measured too (`engine_*`): a FakeSource (bench/fake-source.ts) marks the
 * same number of users dirty in a bare process, no database, no dispatch.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../tools/emulator/cidaas-emulator.js';
import { seedUsers } from '../test/support/user-generator.js';
import { waitFor } from '../test/support/wait-for.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { startBenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT, startBenchSidecar } from './support/bench-sidecar.js';
import { round } from './support/figures.js';

const SIZES = { full: 200_000, small: 20_000 } as const;

interface EngineReport {
  dirtyUsers: number;
  baselineHeapMb: number;
  heapMb: number;
  rssMb: number;
  peakRssMb: number;
  markMs: number;
}

async function engineOnly(users: number): Promise<EngineReport> {
  const child = fork(fileURLToPath(new URL('./support/dirty-engine-child.ts', import.meta.url)), [String(users)], {
    execArgv: ['--import=tsx', '--expose-gc'],
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const [report] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => [undefined])])) as [EngineReport | undefined];
  if (child.exitCode === null) await once(child, 'exit');
  if (!report) throw new Error('the engine child exited without a report');
  return report;
}

export const pgDirtyMemoryBench: Bench = {
  name: 'pg.dirty_memory',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const users = SIZES[scale];
    progress(`engine only: ${users} dirty users from a FakeSource`);
    const engine = await engineOnly(users);
    if (engine.dirtyUsers !== users) throw new Error(`the engine holds ${engine.dirtyUsers} dirty users, not ${users}`);

    const database = await startBenchDatabase('bench_dirty');
    const emulator = await startEmulator({ ...BENCH_CLIENT });
    try {
      const sidecar = await startBenchSidecar({ database, emulatorUrl: emulator.url, engine: { maxDirtyUsers: users + 50_000 } });
      try {
        await sidecar.lineAt('streaming', 120_000);
        const idle = sidecar.memory();
        const idleHeapMb = (await sidecar.metric('cidaas_sync_nodejs_heap_size_used_bytes')) / 1024 / 1024;
        emulator.addFaults([{ path: '/users-srv/user/bulk', delayMs: 600_000 }]);
        progress(`inserting ${users} users while cidaas holds every call`);
        await seedUsers(database.db, users, 19);
        await waitFor(async () => (await sidecar.metric('cidaas_sync_pending_users')) >= users, {
          timeoutMs: 600_000, intervalMs: 500, message: `${users} users pending in the sidecar`,
        });
        const memory = sidecar.memory();
        const heapMb = (await sidecar.metric('cidaas_sync_nodejs_heap_size_used_bytes')) / 1024 / 1024;
        return {
          dirty_users: users,
          peak_rss_mb: round(memory.peakRssMb, 1),
          rss_mb: round(memory.rssMb, 1),
          heap_used_mb: round(heapMb, 1),
          idle_rss_mb: round(idle.rssMb, 1),
          idle_heap_used_mb: round(idleHeapMb, 1),
          engine_heap_mb: round(engine.heapMb - engine.baselineHeapMb, 1),
          engine_bytes_per_user: Math.round(((engine.heapMb - engine.baselineHeapMb) * 1024 * 1024) / users),
          engine_peak_rss_mb: round(engine.peakRssMb, 1),
          engine_mark_users_per_s: Math.round(users / (engine.markMs / 1000)),
        };
      } finally {
        // The calls held by the fault would keep a graceful stop waiting for ten minutes.
        await sidecar.kill();
        await sidecar.config.remove();
      }
    } finally {
      await emulator.close();
      await database.close();
    }
  },
};
