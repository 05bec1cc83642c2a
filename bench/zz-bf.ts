import { seedUsers } from '../test/support/user-generator.js';
import { startBenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { EmulatorProcess } from './support/emulator-process.js';
import { startSidecar } from '../test/support/sidecar-process.js';
import { writeShopConfig } from '../test/support/test-config.js';
import { processMemory } from './support/process-memory.js';
import { processCpuMs } from './support/process-cpu.js';
const users = Number(process.argv[2] ?? 20000);
const variants = (process.argv[3] ?? 'file,memory').split(',');
const database = await startBenchDatabase('zz');
const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT });
try {
  await seedUsers(database.db, users, 11);
  await database.db.query('ANALYZE');
  for (const v of variants) {
    await emulator.reset();
    const config = await writeShopConfig({ kind: 'postgres', sourceUrl: database.url, publication: database.publication, emulatorUrl: emulator.url, ...BENCH_CLIENT, concurrency: 4,
      ...(v === 'memory' ? { stateUrl: 'sqlite::memory:' } : {}), extra: { engine: {} } });
    const p = startSidecar({ args: ['run', '--config', config.path, '--no-progress'], env: { LOG_LEVEL: 'info', ...(process.env['ZZ_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['ZZ_NODE_OPTIONS'] } : {}) } });
    const a = await p.waitForLine((l) => l.message === 'backfill starting', 60000);
    const c0 = processCpuMs(p.pid);
    const b = await p.waitForLine((l) => l.message === 'backfill done', 600000);
    const cpu = processCpuMs(p.pid) - c0;
    const ms = Date.parse(String(b['timestamp'])) - Date.parse(String(a['timestamp']));
    console.error(v, users, ms, Math.round(users / ms * 1000), 'users/s', 'cpu us/user', Math.round(cpu * 1000 / users), 'hwm', Math.round(processMemory(p.pid).peakRssMb));
    await p.terminate();
    await config.remove();
  }
} finally { await emulator.close(); await database.close(); }
