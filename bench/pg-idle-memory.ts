/**
 * pg.idle_memory: what `cidaas-sync run` keeps resident while it has nothing to do, as the image
 * runs it: the compiled dist/ (support/build-dist.ts), the Dockerfile's NODE_OPTIONS. The
 * sidecar backfills a few users into an emulator in this process, then streams an idle database
 * for {@link IDLE_SECONDS}; idle_rss_mb is its VmRSS (/proc) at the end, idle_heap_* from its
 * /metrics. The same run with Node's default heap sizing gives `default_heap_*`.
 *
 * Where the memory goes (`mod_*_mb`): a bare node process with the image's NODE_OPTIONS imports,
 * one after the other, the packages `run` loads and then the compiled run command; each figure is
 * the RSS the import added (after a full GC), so shared dependencies count for the first that
 * loads them. BENCH.md goal: idle_rss_mb < 100.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../tools/emulator/cidaas-emulator.js';
import { seedUsers } from '../test/support/user-generator.js';
import { waitFor } from '../test/support/wait-for.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { startBenchDatabase, type BenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT, imageNodeOptions, startBenchSidecar } from './support/bench-sidecar.js';
import { buildDist } from './support/build-dist.js';
import { round } from './support/figures.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const USERS = { full: 1000, small: 100 } as const;
const IDLE_SECONDS = { full: 30, small: 10 } as const;

/**
 * In import order: the packages `run` loads for a PostgreSQL source and a SQLite state store
 * (node_modules names), then the compiled command itself (what is left: our code, the small
 * packages it pulls in). Keep it to what `run` loads: the point is where its memory goes.
 */
const MODULES: readonly (readonly [label: string, specifier: string])[] = [
  ['commander', 'commander'],
  ['zod', 'zod'],
  ['yaml', 'yaml'],
  ['winston', 'winston'],
  ['prom_client', 'prom-client'],
  ['undici', 'undici'],
  ['pg', 'pg'],
  ['pg_logical_replication', 'pg-logical-replication'],
  ['better_sqlite3', 'better-sqlite3'],
  ['typeorm', 'typeorm'],
  ['run_command', './dist/src/cli/commands/run.js'],
];

/** RSS added by each of {@link MODULES}, in MB, measured in a bare node process with `nodeOptions`. */
async function moduleBreakdown(nodeOptions: string): Promise<Record<string, number>> {
  const code = `
    const snap = () => { gc(); gc(); return process.memoryUsage().rss; };
    const out = { node: snap() };
    let prev = out.node;
    for (const [label, spec] of ${JSON.stringify(MODULES)}) {
      await import(spec.startsWith('./') ? new URL(spec, ${JSON.stringify(`file://${ROOT}`)}).href : spec);
      const now = snap();
      out[label] = now - prev;
      prev = now;
    }
    out.total = prev;
    process.stdout.write(JSON.stringify(out));
  `;
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    stdio: ['ignore', 'pipe', 2],
  });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (exit !== 0) throw new Error(`the module breakdown child exited with ${String(exit)}`);
  const bytes = JSON.parse(text) as Record<string, number>;
  return Object.fromEntries(Object.entries(bytes).map(([label, b]) => [`mod_${label}_mb`, round(b / 1024 / 1024, 1)]));
}

interface Idle {
  rssMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  startMs: number;
}

/** A sidecar that backfilled the seeded users, idle for `seconds`. */
async function idleSidecar(database: BenchDatabase, emulatorUrl: string, users: () => number, expected: number, seconds: number, nodeOptions: string): Promise<Idle> {
  const started = Date.now();
  const sidecar = await startBenchSidecar({ database, emulatorUrl, nodeOptions });
  try {
    await sidecar.lineAt('streaming', 120_000);
    await waitFor(() => users() >= expected, { timeoutMs: 120_000, message: 'the backfill' });
    const startMs = Date.now() - started;
    progress(`idle for ${seconds} s (NODE_OPTIONS "${nodeOptions}")`);
    // A bench measures time at rest: this wait is the thing measured, not a synchronisation.
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const memory = sidecar.memory();
    const mb = async (name: string): Promise<number> => round((await sidecar.metric(name)) / 1024 / 1024, 1);
    return {
      rssMb: round(memory.rssMb, 1),
      peakRssMb: round(memory.peakRssMb, 1),
      heapUsedMb: await mb('cidaas_sync_nodejs_heap_size_used_bytes'),
      heapTotalMb: await mb('cidaas_sync_nodejs_heap_size_total_bytes'),
      startMs,
    };
  } finally {
    await sidecar.stop();
    await sidecar.config.remove();
  }
}

export const pgIdleMemoryBench: Bench = {
  name: 'pg.idle_memory',
  async run(scale: BenchScale): Promise<BenchFigures> {
    // The runner built dist/ and the sidecars run it; this says so again should the bench run alone.
    await buildDist();
    const image = await imageNodeOptions();
    const users = USERS[scale];
    const database = await startBenchDatabase('bench_idle');
    const emulator = await startEmulator({ ...BENCH_CLIENT });
    try {
      await seedUsers(database.db, users, 23);
      const count = (): number => emulator.userCount;
      const lean = await idleSidecar(database, emulator.url, count, users, IDLE_SECONDS[scale], image);
      const plain = await idleSidecar(database, emulator.url, count, users, IDLE_SECONDS[scale], '');
      return {
        node_options: image,
        idle_rss_mb: lean.rssMb,
        idle_heap_used_mb: lean.heapUsedMb,
        idle_heap_total_mb: lean.heapTotalMb,
        startup_peak_rss_mb: lean.peakRssMb,
        start_to_streaming_ms: lean.startMs,
        default_heap_idle_rss_mb: plain.rssMb,
        default_heap_heap_total_mb: plain.heapTotalMb,
        default_heap_peak_rss_mb: plain.peakRssMb,
        ...(await moduleBreakdown(image)),
      };
    } finally {
      await emulator.close();
      await database.close();
    }
  },
};
