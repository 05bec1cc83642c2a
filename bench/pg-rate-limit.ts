/**
 * pg.rate_limit: the sidecar's backfill against a tenant that allows 20 calls/s and answers each
 * after 200 ms (the emulator with rateLimit 20 (a token bucket, bursts of one second's worth) and
 * latencyMs 200, in its own process). The ceiling is 20 calls/s x 50 users = 1000 users/s; the
 * sidecar runs with cidaas.concurrency 16, so that the dispatch governor, not the window of calls
 * in flight (16 / 0.2 s = 80 calls/s), has to find the limit.
 *
 * `fraction` says how much of the limit the sidecar used: users_per_s over the ceiling, where
 * users_per_s counts the users over the time the limit governed, from the first bulk call's
 * arrival at the emulator to one slot (1 / limit) after the last one's: n calls paced exactly at
 * the limit fill n slots, so fraction 1 is a sidecar that used every slot. The time before the
 * first call (`first_call_ms`: the access token, the first read) and the last call's latency
 * (`latency_ms`) are once per run, and no governor can use them: counted in the window (as
 * `fraction_end_to_end` still does, timed from the sidecar's "backfill starting" to "backfill
 * done" log lines) they cap the fraction at ~0.93 at small scale (40 calls at 20/s take 1.95 s,
 * plus 0.2 s for the last answer and the first call's start) whatever the governor does.
 * pct_429 is the share of bulk calls the emulator answered 429 (retries included). The
 * emulator's bucket starts full, which is worth one second of calls once: fraction_incl_burst
 * counts it in the ceiling (it matters at small scale, where the whole run lasts ~2 s).
 * BENCH.md goal: fraction >= 0.9, pct_429 < 2 (issue #15: >= 0.95 and < 1).
 *
 * The tenant's limit is known to the sidecar (`cidaas.maxCallsPerSecond: 20`), so the governor
 * paces from the first call; BENCH_RATE_LIMIT_UNKNOWN=1 leaves it unset, and the governor
 * slow-starts and finds the limit from the 429s instead (`known_limit` yes or no says which ran).
 *
 * What else bounds `fraction`: a loaded machine (`runqueue_wait_ms_per_s`, the sidecar's threads
 * waiting for a CPU) and the reader. `pace_fraction` is the calls' rate (429s included) between
 * the first and the last call over the limit.
 */
import { loadavg } from 'node:os';
import { seedUsers } from '../test/support/user-generator.js';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { startBenchDatabase } from './support/bench-postgres.js';
import { BENCH_CLIENT, startBenchSidecar } from './support/bench-sidecar.js';
import { bulkCalls, EmulatorProcess } from './support/emulator-process.js';
import { perSecond, round } from './support/figures.js';
import { processRunQueueWaitMs } from './support/process-cpu.js';

const SIZES = { full: 20_000, small: 2_000 } as const;
const LIMIT_CALLS_PER_S = 20;
const LATENCY_MS = 200;
const BATCH = 50;
const CONCURRENCY = 16;

export const pgRateLimitBench: Bench = {
  name: 'pg.rate_limit',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const users = SIZES[scale];
    const database = await startBenchDatabase('bench_rate');
    const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT, rateLimit: LIMIT_CALLS_PER_S, latencyMs: LATENCY_MS });
    try {
      progress(`seeding ${users} users`);
      await seedUsers(database.db, users, 17);
      await database.db.query('ANALYZE');
      progress(`backfill against ${LIMIT_CALLS_PER_S} calls/s, ${LATENCY_MS} ms a call, concurrency ${CONCURRENCY}`);
      const knownLimit = process.env['BENCH_RATE_LIMIT_UNKNOWN'] !== '1';
      const sidecar = await startBenchSidecar({
        database, emulatorUrl: emulator.url, concurrency: CONCURRENCY,
        ...(knownLimit ? { cidaas: { maxCallsPerSecond: LIMIT_CALLS_PER_S } } : {}),
      });
      try {
        const started = await sidecar.lineAt('backfill starting');
        const waitBefore = processRunQueueWaitMs(sidecar.pid);
        const done = await sidecar.lineAt('backfill done');
        const waitMs = processRunQueueWaitMs(sidecar.pid) - waitBefore;
        const stats = await emulator.stats();
        const arrivals = await emulator.bulkArrivals();
        if (Number(done.line['users']) !== users || stats.userCount !== users) {
          throw new Error(`the sidecar backfilled ${String(done.line['users'])} users and the emulator holds ${stats.userCount}, not ${users}`);
        }
        const calls = bulkCalls(stats);
        const ceiling = LIMIT_CALLS_PER_S * BATCH;
        const governedMs = governed(arrivals);
        const usersPerS = perSecond(users, governedMs);
        const endToEnd = perSecond(users, done.at - started.at);
        const seconds = (done.at - started.at) / 1000;
        // The bucket starts full: one second's worth of calls on top of the rate, once.
        const ceilingWithBurst = ceiling + (LIMIT_CALLS_PER_S * BATCH) / (governedMs / 1000);
        return {
          limit_calls_per_s: LIMIT_CALLS_PER_S,
          latency_ms: LATENCY_MS,
          ceiling_users_per_s: ceiling,
          users_per_s: usersPerS,
          fraction: round(usersPerS / ceiling, 3),
          fraction_incl_burst: round(usersPerS / ceilingWithBurst, 3),
          users_per_s_end_to_end: endToEnd,
          fraction_end_to_end: round(endToEnd / ceiling, 3),
          pct_429: round((calls.throttled / calls.all) * 100, 2),
          users,
          bulk_calls: calls.all,
          bulk_calls_429: calls.throttled,
          concurrency: CONCURRENCY,
          known_limit: knownLimit ? 'yes' : 'no',
          // The governor's pace: bulk calls a second between the first call's arrival and the last's
          // (what the limit caps), and the time before the first call (the access token, the first read).
          pace_calls_per_s: round(pace(arrivals), 1),
          pace_fraction: round(pace(arrivals) / LIMIT_CALLS_PER_S, 3),
          first_call_ms: arrivals.length ? Math.round(arrivals[0]! - started.at) : NaN,
          // How long the sidecar's threads waited for a CPU, per second of the run: a loaded machine, not the governor.
          runqueue_wait_ms_per_s: Math.round(waitMs / seconds),
          seconds: round(seconds, 1),
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

/** The time the limit governed (ms): from the first bulk call's arrival to one slot after the last one's; NaN without calls. */
function governed(arrivals: readonly number[]): number {
  if (arrivals.length === 0) return NaN;
  return arrivals[arrivals.length - 1]! - arrivals[0]! + 1000 / LIMIT_CALLS_PER_S;
}

/** Calls a second from the first arrival to the last (n calls span n - 1 intervals); NaN for fewer than two. */
function pace(arrivals: readonly number[]): number {
  if (arrivals.length < 2) return NaN;
  const span = arrivals[arrivals.length - 1]! - arrivals[0]!;
  return span > 0 ? ((arrivals.length - 1) * 1000) / span : NaN;
}
