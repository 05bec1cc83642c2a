/**
 * pg.stream, mysql.stream: commit-to-emulator latency at a steady 2,000 changes/s. A load generator commits
 * single-row updates of distinct users (each its own transaction) at 2,000/s; the sidecar
 * (`cidaas-sync run` as a child process, after its backfill) streams them into an emulator in a
 * child process of its own (support/emulator-child.ts), instrumented to note the moment it stores
 * each user (support/arrival-watch.ts). Three processes thus share no event loop: this one (the
 * load generator), the emulator and the sidecar.
 * A latency runs from just before the UPDATE was sent (so it includes the commit itself) to the
 * moment the emulator stored the user with the new given_name. peak_rss_mb is the sidecar's
 * VmHWM over the measured run only (reset through /proc/<pid>/clear_refs when it starts); the
 * process has done its backfill before, whose heap it keeps.
 *
 * Run twice over the same slot and state: with the default debounce (engine.flushIntervalMs 200,
 * maxDelayMs 1000) for the BENCH.md fields, and with flushIntervalMs 0 (`*_flush0`). The sidecar is
 * told the emulator's limit (none that binds: support/known-limit.ts, `known_limit` in the output),
 * so the latency is the pipeline's; BENCH_MAX_CALLS_PER_SECOND=0 measures a first run's slow start instead.
 * BENCH.md goal: p99 < 1000 ms at 2000/s.
 */
import { loadavg } from 'node:os';
import { seedUsers } from '../test/support/user-generator.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { ArrivalWatch } from './support/arrival-watch.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { BENCH_PREFIX, startBenchSource, type BenchKind, type BenchSource, type SourceSidecar } from './support/bench-source.js';
import { percentile, perSecond, round } from './support/figures.js';
import { bulkCalls, EmulatorProcess } from './support/emulator-process.js';
import { knownLimit, knownLimitSettings } from './support/known-limit.js';
import { processCpuMs, processRunQueueWaitMs } from './support/process-cpu.js';
import { waitFor } from '../test/support/wait-for.js';

const RATE = 2000;
const SECONDS = { full: 20, small: 2 } as const;
/** Not measured: the first second, so that connections and JIT are warm. */
const WARMUP_SECONDS = 1;

interface StreamFigures {
  changes_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  peak_rss_mb: number;
  /** The sidecar's own histogram (dirty to stored): share of users within 1 s. */
  sidecar_within_1s: number;
  /** CPU the sidecar used during the run, in % of one core (100: saturated, it is single-threaded). */
  sidecar_cpu_pct: number;
  /** The sidecar's CPU time per committed change (µs): less moved by the machine's load than the latencies. */
  sidecar_cpu_us_per_change: number;
  /**
   * Time the sidecar's threads were runnable but waited for a core, in % of the run (summed over
   * its threads, so it can pass 100): the machine's load, not our code.
   */
  sidecar_runq_wait_pct: number;
  /** Changes per bulk call during the run: how full the stream's batches were. */
  changes_per_bulk_call: number;
  /** CPU of the emulator's process and of this one (the load generator), in % of one core. */
  emulator_cpu_pct: number;
  loadgen_cpu_pct: number;
}

async function streamRun(database: BenchSource, emulator: EmulatorProcess, sidecar: SourceSidecar, ids: readonly number[], seconds: number, tag: string): Promise<StreamFigures> {
  await sidecar.lineAt('streaming', 600_000);
  await waitFor(async () => (await emulator.userCount()) === ids.length, { timeoutMs: 600_000, intervalMs: 100, message: 'the backfill' });
  const warm = await ArrivalWatch.start(emulator);
  const warmIds = ids.slice(ids.length - RATE * WARMUP_SECONDS);
  await database.steadyUpdates({ ids: warmIds, perSecond: RATE, seconds: WARMUP_SECONDS, tag: `${tag}w`, onSend: (u) => warm.expect(`legacy-${u.id}`, u.value, u.sentAt) });
  await warm.drained(60_000);
  warm.stop();

  const [countBefore, within1Before] = [await sidecar.metric('cidaas_sync_change_latency_seconds_count'), await sidecar.metric('cidaas_sync_change_latency_seconds_bucket', { le: '1' })];
  if (!sidecar.resetPeak()) throw new Error('cannot reset the peak RSS of the sidecar (/proc/<pid>/clear_refs)');
  const watch = await ArrivalWatch.start(emulator);
  const callsBefore = bulkCalls(await emulator.stats()).all;
  const cpuBefore = processCpuMs(sidecar.pid);
  const waitBefore = processRunQueueWaitMs(sidecar.pid);
  const [emulatorBefore, loadgenBefore] = [processCpuMs(emulator.pid), processCpuMs(process.pid)];
  const wallBefore = performance.now();
  const run = await database.steadyUpdates({ ids, perSecond: RATE, seconds, tag, onSend: (u) => watch.expect(`legacy-${u.id}`, u.value, u.sentAt) });
  await watch.drained(120_000);
  watch.stop();
  const wall = performance.now() - wallBefore;
  const calls = bulkCalls(await emulator.stats()).all - callsBefore;
  const pct = (ms: number): number => Math.round((ms / wall) * 100);
  const cpuMs = processCpuMs(sidecar.pid) - cpuBefore;
  const cpuPct = (cpuMs / wall) * 100;
  const waitPct = pct(processRunQueueWaitMs(sidecar.pid) - waitBefore);
  const [emulatorPct, loadgenPct] = [pct(processCpuMs(emulator.pid) - emulatorBefore), pct(processCpuMs(process.pid) - loadgenBefore)];
  const memory = sidecar.memory();
  const count = (await sidecar.metric('cidaas_sync_change_latency_seconds_count')) - countBefore;
  const within1 = (await sidecar.metric('cidaas_sync_change_latency_seconds_bucket', { le: '1' })) - within1Before;
  const sorted = [...watch.latencies].sort((a, b) => a - b);
  progress(`${tag}: ${run.committed} updates, most behind schedule ${run.maxBacklog}`);
  return {
    changes_per_s: perSecond(run.committed, run.ms),
    p50_ms: round(percentile(sorted, 50), 1),
    p90_ms: round(percentile(sorted, 90), 1),
    p99_ms: round(percentile(sorted, 99), 1),
    max_ms: round(sorted[sorted.length - 1] ?? NaN, 1),
    peak_rss_mb: round(memory.peakRssMb, 1),
    sidecar_within_1s: count > 0 ? round(within1 / count, 4) : NaN,
    sidecar_cpu_pct: Math.round(cpuPct),
    sidecar_cpu_us_per_change: Math.round((cpuMs * 1000) / run.committed),
    sidecar_runq_wait_pct: waitPct,
    changes_per_bulk_call: calls > 0 ? round(run.committed / calls, 1) : NaN,
    emulator_cpu_pct: emulatorPct,
    loadgen_cpu_pct: loadgenPct,
  };
}

/** The stream bench on `kind`. */
export const streamBench = (kind: BenchKind): Bench => ({
  name: `${BENCH_PREFIX[kind]}.stream`,
  async run(scale: BenchScale): Promise<BenchFigures> {
    const seconds = SECONDS[scale];
    const users = RATE * seconds;
    const database = await startBenchSource(kind, 'bench_stream');
    const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT });
    const sidecars: SourceSidecar[] = [];
    try {
      progress(`seeding ${users + RATE * WARMUP_SECONDS} users`);
      const { ids } = await seedUsers(database.db, users + RATE * WARMUP_SECONDS, 13);

      progress(`default debounce: ${RATE} updates/s for ${seconds} s`);
      const known = knownLimit();
      const first = await database.startSidecar({ emulatorUrl: emulator.url, ...knownLimitSettings(known) });
      sidecars.push(first);
      const debounced = await streamRun(database, emulator, first, ids, seconds, 'd');
      await first.stop();

      progress(`flushIntervalMs 0: ${RATE} updates/s for ${seconds} s`);
      const second = await database.startSidecar({ emulatorUrl: emulator.url, engine: { flushIntervalMs: 0 }, resume: first, ...knownLimitSettings(known) });
      sidecars.push(second);
      const immediate = await streamRun(database, emulator, second, ids, seconds, 'z');
      await second.stop();

      return {
        rate_target: RATE,
        ...debounced,
        ...Object.fromEntries(Object.entries(immediate).map(([k, v]) => [`${k}_flush0`, v])),
        seconds,
        known_limit: known,
        loadavg_1m: round(loadavg()[0]!, 1),
      };
    } finally {
      for (const s of sidecars) {
        await s.kill().catch(() => undefined);
        await s.config.remove();
      }
      await emulator.close();
      await database.close();
    }
  },
});
