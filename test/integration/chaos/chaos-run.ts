import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import { checkConvergence, describeConvergence, isConverged, type ConvergenceResult } from '../../support/convergence.js';
import { killAllSidecars, startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seededRandom, seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';
import { startFaultStorm } from './chaos-faults.js';
import { doomedEmail, ROLLED_BACK_PREFIX } from './chaos-values.js';
import { writeChaosEvidence } from './chaos-evidence.js';
import { ChaosWorkload } from './chaos-workload.js';
import { httpPortOf, metricValue, readiness, streaming } from './sidecar-probe.js';

/**
 * One chaos run, shared by the bounded mocha suite and `npm run soak`: a database with seeded
 * users, the emulator with a storm of transient faults and some users it FAILs on purpose, the
 * chaos workload, and the sidecar as a child process killed with SIGKILL at `kills` random
 * points and restarted. Then the workload stops, the sidecar catches up and is stopped, and
 * the run reports how the legacy database and the emulator differ and what the dead-letter
 * list holds. It reports; the caller judges.
 */

/** Options of {@link runChaos}. */
export interface ChaosRunOptions {
  readonly kind: ShopDbKind;
  readonly seed: number;
  /** How long the workload runs (longer if the kills need more time). */
  readonly durationMs: number;
  /** How many times the sidecar is killed -9 while the workload runs. */
  readonly kills: number;
  /** Users seeded before the first start (the first run backfills them); default 1000. */
  readonly users?: number;
  /** Main-lane workload operations per second; default 30. */
  readonly opsPerSecond?: number;
  /** Users the emulator FAILs on purpose; default 8. */
  readonly doomed?: number;
  /** How long the sidecar may take to catch up after the workload; default 120 000 ms. */
  readonly catchUpTimeoutMs?: number;
  /** Where to write every sidecar's log and the details of each user that differs (see chaos-evidence.ts). */
  readonly logDir?: string;
  /** Progress messages (the soak prints them to stderr; tests pass nothing). */
  readonly progress?: (message: string) => void;
}

/** What a chaos run found. Everything that must be empty or zero for "correct" is listed here. */
export interface ChaosReport {
  readonly db: ShopDbKind;
  readonly seed: number;
  /** kill -9s done. */
  readonly kills: number;
  /** Committed user changes of the workload. */
  readonly changes_applied: number;
  /** Committed workload transactions. */
  readonly operations: number;
  /** Live legacy users compared with the emulator at the end. */
  readonly users_checked: number;
  readonly lost: number;
  readonly stale: number;
  readonly extra: number;
  /** Entries in the sidecar's dead-letter list at the end. */
  readonly dead_letters: number;
  /** Users the emulator was told to FAIL (all must be dead letters, and only they). */
  readonly doomed: number;
  /** Dead-letter keys of users the emulator was not told to FAIL. */
  readonly unexpected_dead_letters: string[];
  /** Doomed users missing from the dead-letter list (or without the emulator's reason). */
  readonly missing_dead_letters: string[];
  /** Emulator users holding an email that was only ever written by a rolled-back transaction. */
  readonly rolled_back_visible: string[];
  /** Sidecar exits nobody asked for (code, signal, last error). */
  readonly unexpected_exits: string[];
  /** Exit of the final SIGTERM (should be code 0). */
  readonly final_exit: string;
  /** Fault rules the storm queued. */
  readonly faults_queued: number;
  readonly duration_s: number;
  /** One line: the convergence result (field names and subs, never values). */
  readonly convergence: string;
}

const CLIENT_ID = 'chaos-suite';
const CLIENT_SECRET = 'chaos-suite-secret-4711';
/** The shortest life of a sidecar before it is killed: some kills still land in its startup. */
const MIN_LIFE_MS = 700;

function lastError(p: SidecarProcess): string {
  const line = [...p.lines].reverse().find((l) => l.level === 'error');
  return line ? `${line.message} ${JSON.stringify(line['error'] ?? '')}` : p.stderr.trim().slice(-300);
}

function describeExit(p: SidecarProcess): string {
  return `code ${p.exit?.code ?? '-'} signal ${p.exit?.signal ?? '-'}: ${lastError(p)}`;
}

/** Polls until `at` (epoch ms), the process ending or the workload failing; the chaos schedule. */
async function until(at: number, p: SidecarProcess, workload: ChaosWorkload): Promise<void> {
  await waitFor(() => Date.now() >= at || p.exit !== undefined || workload.failure !== undefined, { timeoutMs: Math.max(0, at - Date.now()) + 1000, intervalMs: 50 });
}

/** Runs the chaos scenario; see the module comment. Cleans up everything it started. */
export async function runChaos(o: ChaosRunOptions): Promise<ChaosReport> {
  const started = Date.now();
  const say = o.progress ?? (() => undefined);
  const sidecars: SidecarProcess[] = [];
  const spawn = (config: ShopConfigFile): SidecarProcess => {
    // At debug level: the per-push lines are the evidence of a lost or stale user.
    const p = startSidecar({ args: ['run', '--config', config.path, '--no-progress'], env: { LOG_LEVEL: 'debug' } });
    sidecars.push(p);
    return p;
  };
  let target: SyncTarget | undefined;
  let emu: RunningEmulator | undefined;
  let config: ShopConfigFile | undefined;
  try {
    target = await createSyncTarget(o.kind);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const doomedEmails = Array.from({ length: o.doomed ?? 8 }, (_, n) => doomedEmail(o.seed, n));
    emu.addFaults(doomedEmails.map((email) => ({ failEmail: email, message: `chaos: ${email} is rejected on purpose` })));
    const seeded = await seedUsers(target.db, o.users ?? 1000, o.seed);
    config = await writeShopConfig({ kind: o.kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, concurrency: 4 });
    const workload = new ChaosWorkload({ db: target.db, seed: o.seed, ids: seeded.ids, doomedEmails, ...(o.opsPerSecond ? { opsPerSecond: o.opsPerSecond } : {}) });
    const killRandom = seededRandom(o.seed ^ 0x68e31da4);
    const killAt = Array.from({ length: o.kills }, () => killRandom() * o.durationMs).sort((a, b) => a - b);
    const storm = startFaultStorm(emu, { random: seededRandom(o.seed ^ 0x1b873593) });
    const unexpectedExits: string[] = [];
    const t0 = Date.now();
    let p = spawn(config);
    let spawnedAt = Date.now();
    workload.start();
    let kills = 0;
    let earlyKills = 0;
    for (const at of killAt) {
      await until(Math.max(t0 + at, spawnedAt + MIN_LIFE_MS), p, workload);
      if (workload.failure) break;
      // Two kills in a row before streaming: let this one stream first, or nothing moves.
      if (earlyKills >= 2 && p.exit === undefined) {
        await streaming(p).catch(() => undefined);
        await until(Date.now() + killRandom() * 2000, p, workload);
      }
      const wasStreaming = p.lines.some((l) => l.message === 'streaming' && l['component'] === 'runner');
      if (p.exit !== undefined) {
        unexpectedExits.push(describeExit(p));
        say(`the sidecar exited on its own: ${describeExit(p)}`);
      } else {
        await p.kill9();
        kills++;
        earlyKills = wasStreaming ? 0 : earlyKills + 1;
        say(`kill ${kills}/${o.kills} at ${Math.round((Date.now() - t0) / 1000)} s (${wasStreaming ? 'streaming' : 'starting or backfilling'}); ${workload.stats.changes} changes so far`);
      }
      p = spawn(config);
      spawnedAt = Date.now();
    }
    await until(t0 + o.durationMs, p, workload);
    await workload.stop();
    storm.stop();
    say(`workload stopped: ${workload.stats.changes} changes in ${workload.stats.operations} operations; catching up`);

    const doomedKeys = workload.doomedKeys.map(String);
    const expectDeadLetters = doomedKeys.map((k) => `legacy-${k}`);
    let result: ConvergenceResult | undefined;
    const catchUpMs = o.catchUpTimeoutMs ?? 120_000;
    const deadline = Date.now() + catchUpMs;
    await waitFor(
      async () => {
        if (p.exit !== undefined) {
          unexpectedExits.push(describeExit(p));
          p = spawn(config!);
        }
        const port = await httpPortOf(p).catch(() => undefined);
        result = await checkConvergence(target!.db, emu!, { expectDeadLetters });
        if (Date.now() > deadline) return true;
        // Caught up: streaming, nothing pending (dead letters included), and the emulator matches.
        return port !== undefined && isConverged(result) && (await metricValue(port, 'cidaas_sync_pending_users')) === 0 && (await readiness(port)).state === 'ready';
      },
      { timeoutMs: catchUpMs + 120_000, intervalMs: 500 },
    );
    if (result === undefined) throw new Error('no convergence check ran');
    const exit = await p.terminate();
    const store = await openStateStore(`sqlite:${config.statePath}`);
    const deadLetters = await store.listDeadLetters({ limit: 10_000 });
    try {
      if (o.logDir !== undefined) await writeChaosEvidence(o.logDir, { sidecars, db: target.db, emulator: emu, store, result, prefix: 'legacy-' });
    } finally {
      await store.close();
    }
    const deadKeys = new Set(deadLetters.map((d) => d.key));
    const doomedSet = new Set(doomedKeys);
    const rejected = (key: string): boolean => deadLetters.some((d) => d.key === key && d.reason.includes('rejected on purpose'));
    const report: ChaosReport = {
      db: o.kind,
      seed: o.seed,
      kills,
      changes_applied: workload.stats.changes,
      operations: workload.stats.operations,
      users_checked: result.live,
      lost: result.lost.length,
      stale: result.stale.length,
      extra: result.extra.length,
      dead_letters: deadLetters.length,
      doomed: doomedKeys.length,
      unexpected_dead_letters: [...deadKeys].filter((k) => !doomedSet.has(k)),
      missing_dead_letters: doomedKeys.filter((k) => !rejected(k)),
      rolled_back_visible: emu.users().filter((u) => u.email?.startsWith(ROLLED_BACK_PREFIX)).map((u) => u.sub),
      unexpected_exits: unexpectedExits,
      final_exit: `code ${exit.code ?? '-'} signal ${exit.signal ?? '-'}`,
      faults_queued: storm.queued,
      duration_s: Math.round((Date.now() - started) / 1000),
      convergence: describeConvergence(result),
    };
    say(`done: ${report.convergence}`);
    return report;
  } finally {
    await killAllSidecars();
    await emu?.close();
    await target?.drop();
    await config?.remove();
  }
}
