import { seedUsers } from '../test/support/user-generator.js';
import { startBenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { EmulatorProcess } from './support/emulator-process.js';
import { referenceBackfill } from './support/reference-backfill.js';
const users = Number(process.argv[2] ?? 200000);
const database = await startBenchDatabase('zz');
const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT });
try {
  let t = performance.now();
  await seedUsers(database.db, users, 11);
  await database.db.query('ANALYZE');
  console.error('seed', performance.now() - t);
  const plan = await database.db.query(`EXPLAIN ANALYZE SELECT u.id, (SELECT c.password_hash FROM credentials c WHERE c.user_id = u.id) AS p, (SELECT d.secret_base32 FROM totp_devices d WHERE d.user_id = u.id AND d.confirmed ORDER BY d.id LIMIT 1) AS s FROM users u WHERE u.id > 100000 AND u.deleted_at IS NULL ORDER BY u.id LIMIT 50`);
  console.error(plan.map((r) => r['QUERY PLAN']).join('\n'));
  for (let i = 0; i < 2; i++) {
    const r = await referenceBackfill({ url: database.url, emulatorUrl: emulator.url, concurrency: 4, batchSize: 50 });
    console.error('ref', r.users, r.ms, Math.round(r.users / r.ms * 1000));
    await emulator.reset();
  }
} finally { await emulator.close(); await database.close(); }
