import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import type { ReplicaReport } from '../../../tools/emulator/replica-log.js';
import { checkConvergence, describeConvergence, isConverged, type ConvergenceResult } from '../../support/convergence.js';
import { killAllSidecars, type SidecarProcess } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seededRandom, seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { doomedEmail } from '../chaos/chaos-values.js';
import { ChaosWorkload } from '../chaos/chaos-workload.js';
import { httpPortOf, metricValue } from '../chaos/sidecar-probe.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';
import { count, ReplicaSet, STEPPED_DOWN } from './replica-set.js';

/**
 * Two replicas of the sidecar with `ha.enabled` and the state store in the legacy database, the
 * chaos workload changing users, and the active replica killed (SIGKILL), paused past its lease
 * (SIGSTOP, then SIGCONT once the other took over) or stopped (SIGTERM), in turns. A killed or
 * stopped replica is replaced at once, so two are always running. Then the workload stops, the
 * active catches up, and the run reports how the legacy database and the emulator differ, whether
 * the emulator ever saw two replicas' calls interleave, and what each paused replica did after it
 * resumed. It reports; the caller judges.
 */

export type Disruption = 'kill' | 'pause' | 'term';

/** Options of {@link runHaChaos}. */
export interface HaChaosOptions {
  readonly kind: ShopDbKind;
  readonly seed: number;
  /** The disruptions of the active replica, in order. */
  readonly disruptions: readonly Disruption[];
  /** ha.leaseSeconds; default 3. */
  readonly leaseSeconds?: number;
  /** Seeded users; default 300. */
  readonly users?: number;
  /** Main-lane workload operations per second; default 20. */
  readonly opsPerSecond?: number;
  readonly catchUpTimeoutMs?: number;
  readonly progress?: (message: string) => void;
}

/** What a paused replica did once resumed. */
export interface PausedReplica {
  /** It logged that it lost the lease and stepped down to standby. */
  readonly steppedDown: boolean;
  /** It was still running afterwards (as standby), not crashed. */
  readonly stillRunning: boolean;
  /** Errors it logged other than the lost lease (and its write cut off by the database). */
  readonly otherErrors: string[];
}

export interface HaChaosReport {
  readonly db: ShopDbKind;
  readonly seed: number;
  readonly disruptions: Record<Disruption, number>;
  /** Seconds from each disruption to the first cidaas call of the next holder. */
  readonly failoverSeconds: number[];
  readonly changes_applied: number;
  readonly users_checked: number;
  readonly lost: number;
  readonly stale: number;
  readonly extra: number;
  readonly unexpected_dead_letters: number;
  /** The emulator's record of which replica called when. */
  readonly replicas: ReplicaReport;
  readonly paused: PausedReplica[];
  /** Replicas that exited without being killed or stopped (code, last error). */
  readonly unexpected_exits: string[];
  /** Exit codes of the SIGTERMs (0 each). */
  readonly term_exits: (number | null)[];
  readonly convergence: string;
  readonly duration_s: number;
}

const CLIENT_ID = 'ha-chaos';
const CLIENT_SECRET = 'ha-chaos-secret-2718';

function lastError(p: SidecarProcess): string {
  const line = [...p.lines].reverse().find((l) => l.level === 'error');
  return line ? `${line.message} ${JSON.stringify(line['error'] ?? '')}` : p.stderr.trim().slice(-300);
}

/** The first call of a term with a token above `token` (ms since the epoch), or undefined. */
function firstCallAfter(emu: RunningEmulator, token: bigint): number | undefined {
  return emu.replicas().terms.find((t) => BigInt(t.token) > token)?.firstAt;
}

function maxToken(emu: RunningEmulator): bigint {
  return emu.replicas().terms.reduce((m, t) => (BigInt(t.token) > m ? BigInt(t.token) : m), 0n);
}

/** Runs the scenario; see the module comment. Cleans up everything it started. */
export async function runHaChaos(o: HaChaosOptions): Promise<HaChaosReport> {
  const started = Date.now();
  const say = o.progress ?? (() => undefined);
  let target: SyncTarget | undefined;
  let emu: RunningEmulator | undefined;
  let config: ShopConfigFile | undefined;
  const sets: ReplicaSet[] = [];
  try {
    target = await createSyncTarget(o.kind);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const doomedEmails = Array.from({ length: 4 }, (_, n) => doomedEmail(o.seed, n));
    emu.addFaults(doomedEmails.map((email) => ({ failEmail: email, message: `chaos: ${email} is rejected on purpose` })));
    const seeded = await seedUsers(target.db, o.users ?? 300, o.seed);
    config = await writeShopConfig({
      kind: o.kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      concurrency: 4, stateUrl: target.url, extra: { ha: { enabled: true, leaseSeconds: o.leaseSeconds ?? 3 } },
    });
    const set = new ReplicaSet(config.path);
    sets.push(set);
    const workload = new ChaosWorkload({ db: target.db, seed: o.seed, ids: seeded.ids, doomedEmails, opsPerSecond: o.opsPerSecond ?? 20 });
    const random = seededRandom(o.seed ^ 0x5bd1e995);
    const expected = new Set<SidecarProcess>();
    const pausedReplicas: SidecarProcess[] = [];
    const termExits: (number | null)[] = [];
    const failoverSeconds: number[] = [];
    const tally: Record<Disruption, number> = { kill: 0, pause: 0, term: 0 };

    set.spawn();
    set.spawn();
    await set.currentActive(120_000);
    workload.start();
    for (const d of o.disruptions) {
      // Let changes flow under this holder for a while, its pushes included.
      await new Promise((resolve) => setTimeout(resolve, 500 + random() * 1500));
      if (workload.failure) break;
      const active = await set.currentActive();
      const token = maxToken(emu);
      const before = set.snapshot();
      const at = Date.now();
      if (d === 'kill') {
        expected.add(active);
        await active.kill9();
        set.spawn();
      } else if (d === 'term') {
        expected.add(active);
        const exit = await active.terminate(30_000);
        termExits.push(exit.code);
        set.spawn();
      } else {
        set.pause(active);
      }
      await set.newActive(before);
      if (d === 'pause') {
        // The new holder is in; wake the old one: it must write nothing and step down. (PostgreSQL:
        // the new holder waits for the slot until the old walsender ends, which it does once the
        // old process resumes and steps down, or after wal_sender_timeout.)
        pausedReplicas.push(active);
        const steppedDown = count(active, STEPPED_DOWN);
        await new Promise((resolve) => setTimeout(resolve, random() * 1000));
        set.resume(active);
        await waitFor(() => count(active, STEPPED_DOWN) > steppedDown || active.exit !== undefined, { timeoutMs: 30_000, intervalMs: 25 });
      }
      await waitFor(() => firstCallAfter(emu!, token) !== undefined || workload.failure !== undefined, { timeoutMs: 60_000, intervalMs: 25 });
      const first = firstCallAfter(emu, token);
      if (first !== undefined) failoverSeconds.push((first - at) / 1000);
      tally[d]++;
      say(`${d} ${tally[d]}: the next holder called cidaas after ${((first ?? Date.now()) - at) / 1000} s; ${workload.stats.changes} changes so far`);
    }
    await workload.stop();
    say(`workload stopped: ${workload.stats.changes} changes; catching up`);

    const expectDeadLetters = workload.doomedKeys.map((k) => `legacy-${k}`);
    let result: ConvergenceResult | undefined;
    const catchUpMs = o.catchUpTimeoutMs ?? 60_000;
    const deadline = Date.now() + catchUpMs;
    await waitFor(async () => {
      result = await checkConvergence(target!.db, emu!, { expectDeadLetters });
      if (Date.now() > deadline) return true;
      const holder = set.running.find((p) => set.isActive(p));
      if (!holder || !isConverged(result)) return false;
      const port = await httpPortOf(holder).catch(() => undefined);
      return port !== undefined && (await metricValue(port, 'cidaas_sync_pending_users')) === 0;
    }, { timeoutMs: catchUpMs + 30_000, intervalMs: 500 });
    if (result === undefined) throw new Error('no convergence check ran');

    const unexpectedExits = set.all.filter((p) => p.exit !== undefined && !expected.has(p)).map((p) => `code ${p.exit?.code ?? '-'} signal ${p.exit?.signal ?? '-'}: ${lastError(p)}`);
    const deadLetters = await target.db.query('SELECT COUNT(*) AS n FROM cidaas_sync_dead_letter');
    const deadCount = Number(deadLetters[0]?.['n'] ?? 0);
    const paused = pausedReplicas.map((p) => ({
      steppedDown: count(p, STEPPED_DOWN) > 0,
      stillRunning: p.exit === undefined || expected.has(p),
      // Expected: the lost lease, and a write whose session the database ended while the replica was
      // paused inside it (idle_in_transaction_session_timeout, MariaDB idle_transaction_timeout).
      otherErrors: p.lines.filter((l) => l.level === 'error' && l['code'] !== 'LEASE_LOST'
        && !(l['code'] === 'STATE_STORE' && /ECONNRESET|terminat|connection|closed|released/i.test(String(l['error'])))).map((l) => `${l.message}: ${String(l['error'])}`),
    }));
    // Stop the rest: the standby first, then the active, each with SIGTERM (once started: a
    // process still loading has no SIGTERM handler yet).
    for (const p of set.running) await httpPortOf(p);
    const rest = [...set.running].sort((a, b) => Number(set.isActive(a)) - Number(set.isActive(b)));
    for (const p of rest) termExits.push((await p.terminate(30_000)).code);
    const report: HaChaosReport = {
      db: o.kind, seed: o.seed, disruptions: tally, failoverSeconds,
      changes_applied: workload.stats.changes, users_checked: result.live,
      lost: result.lost.length, stale: result.stale.length, extra: result.extra.length,
      unexpected_dead_letters: deadCount - expectDeadLetters.length,
      replicas: emu.replicas(),
      paused,
      unexpected_exits: unexpectedExits,
      term_exits: termExits,
      convergence: describeConvergence(result),
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    say(`done: ${report.convergence}`);
    return report;
  } finally {
    const logDir = process.env['HA_CHAOS_LOG_DIR'];
    if (logDir) {
      await mkdir(logDir, { recursive: true });
      for (const [i, p] of sets.flatMap((x) => x.all).entries()) {
        await writeFile(join(logDir, `replica-${i}-${p.pid}.log`), `${p.lines.map((l) => JSON.stringify(l)).join('\n')}\n--- stderr\n${p.stderr}`);
      }
      if (emu) await writeFile(join(logDir, 'replicas.json'), JSON.stringify(emu.replicas(), null, 1));
    }
    await killAllSidecars();
    await emu?.close();
    await target?.drop();
    await config?.remove();
  }
}
