/**
 * `npm run bench [-- NAME...]`: runs the benchmarks (all, or those named) and prints
 * one JSON object a line on stdout, as BENCH.md describes; everything else goes to
 * stderr. BENCH_SCALE=small runs them at a tenth of the size.
 *
 * To add a benchmark, add its module to BENCHES: a name and a loader, so a bench's
 * dependencies load only when it runs.
 */
import type { Bench, BenchScale } from './bench.js';
import { buildDist } from './support/build-dist.js';

const BENCHES: readonly { name: string; load: () => Promise<Bench> }[] = [
  { name: 'emulator.bulk', load: async () => (await import('./emulator-bulk.js')).emulatorBulkBench },
  { name: 'pg.backfill', load: async () => (await import('./backfill.js')).backfillBench('postgres') },
  { name: 'pg.decode', load: async () => (await import('./pg-decode.js')).pgDecodeBench },
  { name: 'pg.stream', load: async () => (await import('./stream.js')).streamBench('postgres') },
  { name: 'pg.coalesce', load: async () => (await import('./pg-coalesce.js')).pgCoalesceBench },
  { name: 'pg.rate_limit', load: async () => (await import('./pg-rate-limit.js')).pgRateLimitBench },
  { name: 'pg.idle_memory', load: async () => (await import('./pg-idle-memory.js')).pgIdleMemoryBench },
  { name: 'pg.dirty_memory', load: async () => (await import('./pg-dirty-memory.js')).pgDirtyMemoryBench },
  { name: 'mysql.decode', load: async () => (await import('./mysql-decode.js')).mysqlDecodeBench },
  { name: 'mysql.backfill', load: async () => (await import('./backfill.js')).backfillBench('mysql') },
  { name: 'mysql.stream', load: async () => (await import('./stream.js')).streamBench('mysql') },
  { name: 'verify', load: async () => (await import('./verify.js')).verifyBench },
  { name: 'ha.failover', load: async () => (await import('./ha-failover.js')).haFailoverBench },
  { name: 'verifier', load: async () => (await import('./verifier.js')).verifierBench },
];

function scaleFromEnv(): BenchScale {
  const value = process.env['BENCH_SCALE'] ?? 'full';
  if (value !== 'full' && value !== 'small') {
    process.stderr.write(`BENCH_SCALE must be "full" or "small", not ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const scale = scaleFromEnv();
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = names.length === 0 ? BENCHES : BENCHES.filter((b) => names.includes(b.name));
  // stdout carries only the JSON lines: a stray console.log in a bench goes to stderr.
  const out = process.stdout.write.bind(process.stdout);
  console.log = console.info = (...args: unknown[]) => console.error(...args);

  // The sidecars run dist/, as the image does.
  process.stderr.write('npm run build\n');
  await buildDist();

  for (const entry of selected) {
    process.stderr.write(`bench ${entry.name} (scale ${scale})\n`);
    try {
      const bench = await entry.load();
      const figures = await bench.run(scale);
      out(JSON.stringify({ bench: entry.name, ...figures, scale, node: process.version, at: new Date().toISOString() }) + '\n');
    } catch (err) {
      process.stderr.write(`bench ${entry.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}

await main();
