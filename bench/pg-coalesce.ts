/**
 * pg.coalesce: what bursts cost in cidaas calls. 1000 committed updates of one user's name within
 * a second, then 100 updates of only an ignored column (last_login_at) of another user; pushes are
 * the emulator's bulk calls counted from before each burst until the checkpoint has passed it.
 * Sidecar and emulator run in this process (calls are counted, not timed), with the default
 * engine settings (flushIntervalMs 200, maxDelayMs 1000). BENCH.md goal: 1000 -> <= 3; ignored -> 0.
 */
import { startEmulator } from '../tools/emulator/cidaas-emulator.js';
import { startInProcessSidecar } from '../test/support/in-process-sidecar.js';
import { writeShopConfig } from '../test/support/test-config.js';
import { seedUsers } from '../test/support/user-generator.js';
import { waitFor } from '../test/support/wait-for.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { startBenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { caughtUp } from './support/caught-up.js';
import { bulkCalls } from './support/emulator-process.js';
import { round } from './support/figures.js';

/** The same at both scales: the goal is stated for these counts. */
const UPDATES = 1000;
const IGNORED_UPDATES = 100;

export const pgCoalesceBench: Bench = {
  name: 'pg.coalesce',
  async run(_scale: BenchScale): Promise<BenchFigures> {
    const database = await startBenchDatabase('bench_coalesce');
    const emulator = await startEmulator({ ...BENCH_CLIENT });
    const config = await writeShopConfig({
      kind: 'postgres', sourceUrl: database.url, publication: database.publication, emulatorUrl: emulator.url, ...BENCH_CLIENT,
    });
    try {
      const { ids } = await seedUsers(database.db, 10, 5);
      const [burstId, ignoredId] = [ids[3]!, ids[6]!];
      const sidecar = await startInProcessSidecar(config.path);
      try {
        await sidecar.streaming();
        await waitFor(() => emulator.userCount === ids.length, { timeoutMs: 60_000, message: 'the backfill of 10 users' });
        await caughtUp(sidecar.pipeline);

        progress(`${UPDATES} updates of user ${burstId}`);
        const before = bulkCalls(emulator.stats()).all;
        const started = performance.now();
        // Four connections at once (the pool's size), so that the burst fits in a second while
        // the sidecar shares this process; each update is its own transaction.
        let next = 0;
        await Promise.all(Array.from({ length: 4 }, async () => {
          while (next < UPDATES) {
            const i = ++next;
            await database.db.updateUser(burstId, { first_name: `Burst ${i}` });
          }
        }));
        const burstMs = performance.now() - started;
        // Concurrent updates commit in any order: the emulator must end with the committed last one.
        const [final] = await database.db.query('SELECT first_name FROM users WHERE id = ?', [burstId]);
        await waitFor(() => emulator.getUser(`legacy-${burstId}`)?.given_name === final!['first_name'], { timeoutMs: 30_000, message: 'the last update in the emulator' });
        await caughtUp(sidecar.pipeline);
        const pushes = bulkCalls(emulator.stats()).all - before;

        progress(`${IGNORED_UPDATES} updates of last_login_at of user ${ignoredId}`);
        const beforeIgnored = bulkCalls(emulator.stats()).all;
        for (let i = 0; i < IGNORED_UPDATES; i++) await database.db.touchLastLogin(ignoredId);
        await caughtUp(sidecar.pipeline);
        const ignoredPushes = bulkCalls(emulator.stats()).all - beforeIgnored;
        return {
          updates: UPDATES,
          pushes,
          ignored_updates: IGNORED_UPDATES,
          ignored_pushes: ignoredPushes,
          updates_seconds: round(burstMs / 1000, 3),
        };
      } finally {
        await sidecar.stop();
      }
    } finally {
      await emulator.close();
      await config.remove();
      await database.close();
    }
  },
};
