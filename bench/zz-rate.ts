import { startEmulator } from '../src/emulator/cidaas-emulator.js';
import { startInProcessSidecar } from '../test/support/in-process-sidecar.js';
import { writeShopConfig } from '../test/support/test-config.js';
import { seedUsers } from '../test/support/user-generator.js';
import { startBenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { bulkCalls } from './support/emulator-process.js';
const users = Number(process.argv[2] ?? 20000);
const database = await startBenchDatabase('zz');
const emulator = await startEmulator({ ...BENCH_CLIENT, rateLimit: 20, latencyMs: 200 });
const config = await writeShopConfig({ kind: 'postgres', sourceUrl: database.url, publication: database.publication, emulatorUrl: emulator.url, ...BENCH_CLIENT, concurrency: 16 });
try {
  await seedUsers(database.db, users, 17);
  const sc = await startInProcessSidecar(config.path);
  const t0 = Date.now();
  let lastCalls = 0, last429 = 0;
  const timer = setInterval(() => {
    const c = bulkCalls(emulator.stats());
    const g = sc.pipeline.governor;
    process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)}s rate=${g.rate === Infinity ? 'inf' : g.rate.toFixed(1)} inflight=${g.inFlight} calls/s=${(c.all - lastCalls)} 429=${c.throttled - last429} users=${emulator.userCount}\n`);
    lastCalls = c.all; last429 = c.throttled;
  }, 1000);
  await sc.streaming(600000);
  clearInterval(timer);
  const c = bulkCalls(emulator.stats());
  console.error('done', (Date.now() - t0) / 1000, c);
  await sc.stop();
} finally { await emulator.close(); await config.remove(); await database.close(); }
