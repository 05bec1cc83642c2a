import { expect } from 'chai';
import { CidaasClient } from '../../src/cidaas/cidaas-client.js';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';
import { DispatchGovernor, type DispatchGovernorOptions } from '../../src/dispatch/dispatch-governor.js';
import { MemoryLogger } from '../../src/observability/logger.js';
import { Secret } from '../../src/secret.js';
import { startEmulator, type RunningEmulator } from '../../tools/emulator/cidaas-emulator.js';

const CLIENT_ID = 'governor-client';
const CLIENT_SECRET = 'governor-secret';
const BULK = 'POST /users-srv/user/bulk';

/** What one run of paced bulk calls did. */
interface PacedRun {
  readonly governor: DispatchGovernor;
  /** When each batch got its slot (ms, Date.now). */
  readonly acquiredAt: readonly number[];
  /** When each 429 came back, and its Retry-After. */
  readonly throttled: readonly { at: number; retryAfterMs: number | undefined }[];
}

/**
 * Pushes `batches` batches of 2 users through a governor and a real cidaas client to `emu`, as
 * the backfill does: a slot per batch from the governor, released when the batch is done, and the
 * client's answers fed back to it as open-pipeline wires them.
 */
async function pushPaced(emu: RunningEmulator, batches: number, options: Omit<DispatchGovernorOptions, 'now'>): Promise<PacedRun> {
  const governor = new DispatchGovernor(options);
  const acquiredAt: number[] = [];
  const throttled: { at: number; retryAfterMs: number | undefined }[] = [];
  const client = new CidaasClient({
    baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: new Secret(CLIENT_SECRET), logger: new MemoryLogger(),
    connections: options.maxConcurrency * 2, allowEmulator: true, retry: { maxAttempts: 8 },
    observer: {
      onResponse: (r) => governor.onResponse(r.status),
      onThrottled: (t) => {
        throttled.push({ at: Date.now(), retryAfterMs: t.retryAfterMs });
        governor.onThrottled(t.retryAfterMs);
      },
    },
  });
  try {
    const inFlight = new Set<Promise<void>>();
    for (let b = 0; b < batches; b++) {
      await governor.acquire();
      acquiredAt.push(Date.now());
      const users: CidaasUser[] = [0, 1].map((i) => ({ sub: `gov-${b}-${i}`, email: `gov-${b}-${i}@example.com`, provider: 'self' }));
      const task: Promise<void> = client.bulkUpsert(users).then(() => undefined).finally(() => {
        governor.release();
        inFlight.delete(task);
      });
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  } finally {
    await client.close();
  }
  return { governor, acquiredAt, throttled };
}

describe('DispatchGovernor against the emulator\'s rate limiter over HTTP (#15)', () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    // 20 calls/s (a token bucket of one second's worth), 50 ms a call.
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, rateLimit: 20, latencyMs: 50 });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('with cidaas.maxCallsPerSecond at the limit, pushes every batch without a single 429', async () => {
    const run = await pushPaced(emu, 50, { maxConcurrency: 16, maxCallsPerSecond: 20 });
    expect(emu.stats().rateLimited).to.equal(0);
    expect(run.throttled).to.deep.equal([]);
    expect(emu.stats().userCount).to.equal(100);
  });

  it('with the limit unknown, finds it from a few 429s, honours their Retry-After and settles just under it', async () => {
    const run = await pushPaced(emu, 120, { maxConcurrency: 16 });
    expect(emu.stats().userCount).to.equal(240);
    const stats = emu.stats();
    const calls = Object.values(stats.requests[BULK] ?? {}).reduce((a, b) => a + b, 0);
    expect(run.throttled.length, 'the slow start ran into the limit').to.be.at.least(1);
    // An unpaced window of 16 calls at 50 ms each would offer 320 calls/s to a limit of 20.
    expect(stats.rateLimited / calls).to.be.below(0.05);
    expect(run.governor.settledRate).to.be.within(12, 30);
    // No batch got a slot while a Retry-After ran (10 ms allow for a slot given in the same turn of the event loop as the 429).
    for (const t of run.throttled) {
      expect(t.retryAfterMs).to.be.at.least(1000);
      const inPause = run.acquiredAt.filter((a) => a > t.at + 10 && a < t.at + t.retryAfterMs!);
      expect(inPause, `slots given within the Retry-After of the 429 at ${t.at}`).to.deep.equal([]);
    }
  });
});
