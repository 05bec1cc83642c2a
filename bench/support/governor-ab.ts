/**
 * A/B of the dispatch governor against the emulator's rate limit (not part of `npm run bench`):
 *
 *   node --import=tsx bench/support/governor-ab.ts USERS VARIANT...
 *
 * VARIANT is `orig` (src/dispatch-governor.ts as it is), `proto` (governor-prototype.ts) or
 * `proto-slow` (the prototype with slow start). For each, the sidecar runs in this process (so the
 * prototype can stand in for the pipeline's governor) and backfills USERS shop users into an
 * emulator with rateLimit 20 and latencyMs 200 at cidaas.concurrency 16; one line per variant on
 * stderr: users/s, fraction of the 1000 users/s ceiling (timed from the sidecar's start, so a
 * little below pg.rate_limit's), 429 answers. GOVERNOR_TRACE=1 adds the paced rate, calls in
 * flight, calls and 429s every 500 ms.
 */
import { startEmulator } from '../../src/emulator/cidaas-emulator.js';
import { startInProcessSidecar } from '../../test/support/in-process-sidecar.js';
import { writeShopConfig } from '../../test/support/test-config.js';
import { seedUsers } from '../../test/support/user-generator.js';
import { startBenchDatabase } from './bench-postgres.js';
import { BENCH_CLIENT } from './bench-sidecar.js';
import { bulkCalls } from './emulator-process.js';
import { GovernorPrototype, standIn } from './governor-prototype.js';

const CONCURRENCY = 16;
const users = Number(process.argv[2] ?? 20_000);
const variants = process.argv.slice(3);
const database = await startBenchDatabase('governor_ab');
try {
  await seedUsers(database.db, users, 17);
  for (const variant of variants) {
    const emulator = await startEmulator({ ...BENCH_CLIENT, rateLimit: 20, latencyMs: 200 });
    const config = await writeShopConfig({
      kind: 'postgres', sourceUrl: database.url, publication: database.publication, emulatorUrl: emulator.url, ...BENCH_CLIENT, concurrency: CONCURRENCY,
    });
    try {
      const sidecar = await startInProcessSidecar(config.path);
      // Before the first acquire: run() is still preparing the source.
      if (variant.startsWith('proto')) standIn(sidecar.pipeline.governor, new GovernorPrototype({ maxConcurrency: CONCURRENCY, slowStart: variant === 'proto-slow' }));
      const started = Date.now();
      let last = { all: 0, throttled: 0 };
      const trace = process.env['GOVERNOR_TRACE'] ? setInterval(() => {
        const c = bulkCalls(emulator.stats());
        const g = sidecar.pipeline.governor;
        process.stderr.write(`  ${((Date.now() - started) / 1000).toFixed(1)}s rate=${g.rate === Infinity ? 'unpaced' : g.rate.toFixed(1)} in-flight=${g.inFlight} calls=${c.all - last.all} 429=${c.throttled - last.throttled}\n`);
        last = c;
      }, 500) : null;
      try {
        await sidecar.streaming(600_000);
      } finally {
        if (trace) clearInterval(trace);
      }
      const seconds = (Date.now() - started) / 1000;
      const c = bulkCalls(emulator.stats());
      process.stderr.write(`${variant}: ${Math.round(users / seconds)} users/s, fraction ${(users / seconds / 1000).toFixed(3)}, 429 ${c.throttled} of ${c.all} (${((c.throttled / c.all) * 100).toFixed(2)} %)\n`);
      await sidecar.stop();
    } finally {
      await emulator.close();
      await config.remove();
    }
  }
} finally {
  await database.close();
}
