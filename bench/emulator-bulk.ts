/**
 * emulator.bulk: how fast the emulator takes 50-user bulk calls (users/s at
 * concurrency 1 and 8 over keep-alive connections, p50/p99 ms per call at
 * concurrency 1) and how much heap it needs for 1M stored users (BENCH.md goal:
 * p99 < 10 ms, heap < 2048 MB). The emulator runs in a child process; this process
 * generates the load with an undici Pool.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { Bench, BenchFigures, BenchScale } from './bench.js';
import { progress } from './bench.js';
import { benchUser } from './bench-users.js';

const BATCH = 50;
const SIZES = {
  full: { callsC1: 4000, callsC8: 8000, heapUsers: 1_000_000 },
  small: { callsC1: 400, callsC8: 800, heapUsers: 100_000 },
} as const;
const WARMUP_CALLS = 200;

interface HeapReport {
  baselineMb: number;
  heapMb: number;
  rssMb: number;
  seedMs: number;
  users: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** The child process: the emulator, answering IPC messages. */
class EmulatorChild {
  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  static async start(): Promise<EmulatorChild> {
    const child = fork(fileURLToPath(new URL('./emulator-bulk-child.ts', import.meta.url)), [], {
      execArgv: ['--import=tsx', '--expose-gc', '--max-old-space-size=4096'],
      // Its stdout goes to our stderr: stdout is for the JSON line only.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    const [ready] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => [undefined])])) as [{ url: string } | undefined];
    if (!ready) throw new Error('the emulator child exited before it was ready');
    return new EmulatorChild(child, ready.url);
  }

  async ask<T>(message: object): Promise<T> {
    const answer = once(this.child, 'message');
    this.child.send(message);
    return (await answer)[0] as T;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'close' });
    await exited;
  }
}

async function fetchToken(pool: Pool): Promise<string> {
  const res = await pool.request({
    path: '/token-srv/token',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench', client_secret: 'bench-secret' }).toString(),
  });
  const body = (await res.body.json()) as { access_token: string };
  return body.access_token;
}

/** Bodies are made ahead, this many calls at a time, so their making is not timed. */
const CHUNK_CALLS = 400;

/**
 * Runs `calls` 50-user bulk calls of new users with `concurrency` in flight; returns
 * the ms spent sending (making the bodies excluded) and the ms of each call.
 */
async function load(pool: Pool, token: string, firstUser: number, calls: number, concurrency: number): Promise<{ elapsedMs: number; callMs: number[] }> {
  const callMs: number[] = [];
  let elapsedMs = 0;
  for (let chunkStart = 0; chunkStart < calls; chunkStart += CHUNK_CALLS) {
    const bodies = Array.from({ length: Math.min(CHUNK_CALLS, calls - chunkStart) }, (_, k) =>
      JSON.stringify(Array.from({ length: BATCH }, (_, i) => benchUser(firstUser + (chunkStart + k) * BATCH + i))),
    );
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bodies.length) {
        const call = next++;
        const started = performance.now();
        const res = await pool.request({
          path: '/users-srv/user/bulk',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: bodies[call]!,
        });
        const answer = (await res.body.json()) as { data?: { process_states?: { status: string }[] } };
        callMs.push(performance.now() - started);
        const states = answer.data?.process_states ?? [];
        if (res.statusCode !== 200 || states.length !== BATCH || states.some((s) => s.status !== 'CREATED')) {
          throw new Error(`bulk call ${chunkStart + call} answered ${res.statusCode} with ${states.filter((s) => s.status !== 'CREATED').length} users not CREATED`);
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    elapsedMs += performance.now() - started;
  }
  return { elapsedMs, callMs };
}

export const emulatorBulkBench: Bench = {
  name: 'emulator.bulk',
  async run(scale: BenchScale): Promise<BenchFigures> {
    const size = SIZES[scale];
    const emulator = await EmulatorChild.start();
    const pool = new Pool(emulator.url, { connections: 8, keepAliveTimeout: 60_000 });
    try {
      const token = await fetchToken(pool);
      progress(`warm-up: ${WARMUP_CALLS} calls`);
      await load(pool, token, 10_000_000, WARMUP_CALLS, 1);
      await emulator.ask({ type: 'reset' });

      progress(`concurrency 1: ${size.callsC1} calls of ${BATCH} users`);
      const c1 = await load(pool, token, 0, size.callsC1, 1);
      progress(`concurrency 8: ${size.callsC8} calls of ${BATCH} users`);
      const c8 = await load(pool, token, size.callsC1 * BATCH, size.callsC8, 8);

      progress(`heap: seeding ${size.heapUsers} users`);
      const heap = await emulator.ask<HeapReport>({ type: 'heap', users: size.heapUsers });
      if (heap.users !== size.heapUsers) throw new Error(`seeded ${heap.users} users, wanted ${size.heapUsers}`);
      // At small scale, the 1M figure is the measured growth per user times 1M, plus the baseline.
      const perUserMb = (heap.heapMb - heap.baselineMb) / heap.users;
      const heap1m = heap.users === 1_000_000 ? heap.heapMb : heap.baselineMb + perUserMb * 1_000_000;

      const sorted = [...c1.callMs].sort((a, b) => a - b);
      const sorted8 = [...c8.callMs].sort((a, b) => a - b);
      return {
        users_per_s_c1: Math.round((size.callsC1 * BATCH) / (c1.elapsedMs / 1000)),
        users_per_s_c8: Math.round((size.callsC8 * BATCH) / (c8.elapsedMs / 1000)),
        p50_ms: round(percentile(sorted, 50), 3),
        p99_ms: round(percentile(sorted, 99), 3),
        p99_ms_c8: round(percentile(sorted8, 99), 3),
        heap_mb_1m_users: round(heap1m, 1),
        heap_users: heap.users,
        heap_mb_measured: round(heap.heapMb, 1),
        heap_bytes_per_user: Math.round(perUserMb * 1024 * 1024),
        rss_mb: round(heap.rssMb, 1),
        seed_users_per_s: Math.round(heap.users / (heap.seedMs / 1000)),
      };
    } finally {
      await pool.close();
      await emulator.close();
    }
  },
};
