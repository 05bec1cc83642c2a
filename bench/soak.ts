/**
 * `npm run soak -- --kills 100 --minutes 20 [--db postgres|mysql] [--seed N] [--users N] [--ops N] [--log-dir DIR]`:
 * the long chaos run (test/integration/chaos/chaos-run.ts). The chaos workload runs for the given
 * minutes (longer when the kills need more time) while the sidecar is killed -9 `kills` times at
 * random points and the emulator injects transient faults; then the sidecar catches up and the run
 * prints one JSON object on stdout: { db, seed, kills, changes_applied, users_checked, lost, stale,
 * extra, dead_letters, duration_s, ... }. Progress goes to stderr. Exit code 0 when nothing was
 * lost, stale or extra and the dead-letter list holds exactly the users the emulator was told to
 * FAIL; 1 otherwise (the seed replays the run's changes and kill points). --log-dir keeps every
 * sidecar's log and the details of each user that differs.
 */
import { parseArgs } from 'node:util';
import { killAllSidecars } from '../test/support/sidecar-process.js';
import { stopAllServers } from '../test/support/server-registry.js';
import { runChaos, type ChaosReport } from '../test/integration/chaos/chaos-run.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run soak -- --kills 100 --minutes 20 [--db postgres|mysql] [--seed N] [--users N] [--ops N] [--log-dir DIR]\n`);
  process.exit(2);
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) usage(`--${name} must be a positive number, not ${JSON.stringify(value)}`);
  return n;
}

function healthy(r: ChaosReport): boolean {
  return r.lost === 0 && r.stale === 0 && r.extra === 0 && r.unexpected_dead_letters.length === 0 && r.missing_dead_letters.length === 0
    && r.rolled_back_visible.length === 0 && r.unexpected_exits.length === 0 && r.final_exit === 'code 0 signal -';
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        kills: { type: 'string' }, minutes: { type: 'string' }, db: { type: 'string' },
        seed: { type: 'string' }, users: { type: 'string' }, ops: { type: 'string' }, 'log-dir': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  const db = values.db ?? 'postgres';
  if (db !== 'postgres' && db !== 'mysql') usage(`--db must be postgres or mysql, not ${JSON.stringify(db)}`);
  const kills = Math.floor(positive('kills', values.kills, 100));
  const minutes = positive('minutes', values.minutes, 20);
  const seed = Math.floor(positive('seed', values.seed, Date.now() % 1_000_000));
  const users = Math.floor(positive('users', values.users, 5000));
  const ops = positive('ops', values.ops, 30);
  const started = Date.now();
  const progress = (message: string): void => {
    process.stderr.write(`[soak ${Math.round((Date.now() - started) / 1000)} s] ${message}\n`);
  };
  progress(`${db}, seed ${seed}, ${kills} kills in ${minutes} min, ${users} users, ${ops} ops/s; replay: npm run soak -- --db ${db} --seed ${seed} --kills ${kills} --minutes ${minutes} --users ${users} --ops ${ops}`);
  try {
    const report = await runChaos({ kind: db, seed, durationMs: minutes * 60_000, kills, users, opsPerSecond: ops, doomed: 20, catchUpTimeoutMs: 300_000, progress, ...(values['log-dir'] ? { logDir: values['log-dir'] } : {}) });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return healthy(report) ? 0 : 1;
  } finally {
    await killAllSidecars();
    await stopAllServers();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void stopAllServers().finally(() => process.exit(1));
  },
);
