import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../config/load-config.js';
import { startEmulator, type RunningEmulator } from '../emulator/cidaas-emulator.js';
import { SyncError } from '../../src/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../throwaway/throwaway-postgres.js';
import { BackfillProgressView } from './backfill-progress-view.js';
import { checkLogin, checkTotp } from './cidaas-checks.js';
import { writeDemoConfig } from './demo-config.js';
import { count, duration, since, type DemoOutput } from './demo-output.js';
import { startDemoSidecar, type DemoSidecar } from './demo-sidecar.js';
import { DemoShop, PUBLICATION, SIDECAR_ROLE, SHOP_DATABASE } from './demo-shop.js';
import { DEMO_BCRYPT_COST, generateUsers, hashNewPassword, hashPasswordPool, PASSWORD_POOL_SIZE } from './demo-users.js';
import { makeLiveChanges, type LiveChangeOutcome } from './live-changes.js';
import { runDemoVerify } from './demo-verify.js';
import type { Teardown } from './teardown.js';

/** How to run the demo. */
export interface DemoOptions {
  /** Legacy users to create (at least 200). */
  readonly users: number;
  /** Delay the emulated cidaas adds to every API answer, as a real tenant over the internet would. */
  readonly latencyMs: number;
  /** A progress bar when the output is a terminal. */
  readonly progressBar: boolean;
  /** The sidecar's own log (info and up) on stderr; otherwise warnings and errors only. */
  readonly verbose: boolean;
  readonly out: DemoOutput;
  /** Aborted on Ctrl-C: the demo stops everything it started and rejects with the abort reason. */
  readonly signal: AbortSignal;
  /** Where everything started is recorded; the caller may `killNow()` it from an exit handler. */
  readonly teardown: Teardown;
}

/** One line of the closing summary. */
export interface DemoTiming {
  readonly label: string;
  readonly ms: number;
  readonly note?: string;
}

const STEPS = 7;
const SUB_PREFIX = 'legacy-';
const CLIENT_ID = 'cidaas-sync-demo';

/**
 * `cidaas-sync demo`: a throwaway PostgreSQL with a shop of `users` customers, the cidaas
 * emulator, and the sidecar between them: backfill, live changes as they land, login and
 * TOTP checks, verify; then everything stops and is deleted. Resolves with the timings;
 * rejects when a step fails (after stopping everything).
 */
export async function runDemo(o: DemoOptions): Promise<DemoTiming[]> {
  const { out } = o;
  const started = Date.now();
  const timings: DemoTiming[] = [];
  const timed = async <T>(label: string, work: () => Promise<T>, note?: (value: T) => string): Promise<T> => {
    o.signal.throwIfAborted();
    const t = Date.now();
    const value = await work();
    timings.push({ label, ms: since(t), ...(note ? { note: note(value) } : {}) });
    return value;
  };
  const step = (n: number, text: string, ms?: number): void => {
    const head = `[${n}/${STEPS}] ${text}`;
    out.line(ms === undefined ? head : `${head.padEnd(96)} ${duration(ms).padStart(8)}`);
  };

  out.line('cidaas-sync demo: a legacy shop database migrating to cidaas (emulated), live, on this machine.');
  out.line('Everything it starts is stopped and deleted at the end (Ctrl-C stops it early, just as cleanly).');
  out.line();
  let server: ThrowawayPostgres | undefined;
  let configDir: string | undefined;
  let failure: unknown;
  try {
    server = await timed('start PostgreSQL', () => startPostgres(o));
    const db = server;
    const version = await serverVersion(db);
    step(1, `PostgreSQL ${version} started: pid ${db.pid}, port ${db.port}, wal_level=logical${db.userName ? ` (runs as ${db.userName})` : ''}`, timings.at(-1)!.ms);
    out.line(`      data dir ${db.rootDir}`);

    const seeded = await timed('create the shop and its users', () => createShop(o, db));
    const { shop, users, ids } = seeded;
    step(2, `shop database "${SHOP_DATABASE}": ${count(ids.length)} users, bcrypt cost ${DEMO_BCRYPT_COST} (${PASSWORD_POOL_SIZE} distinct passwords), ${count(seeded.withTotp)} with TOTP`, timings.at(-1)!.ms);
    out.line(`      as a DBA sets it up: role ${SIDECAR_ROLE} (LOGIN REPLICATION, SELECT on users, credentials, totp_devices), publication ${PUBLICATION}`);

    const clientSecret = randomBytes(24).toString('base64url');
    const emulator = await timed('start the cidaas emulator', () => startCidaas(o, clientSecret));
    step(3, `cidaas emulator at ${emulator.url}, ${o.latencyMs} ms added to every API call`, timings.at(-1)!.ms);

    configDir = mkdtempSync(join(tmpdir(), 'cidaas-demo-'));
    const dir = configDir;
    o.teardown.add('the configuration dir', () => rm(dir, { recursive: true, force: true }), () => rmSync(dir, { recursive: true, force: true }));
    const files = await writeDemoConfig({
      dir, sourceUrl: `postgres://${SIDECAR_ROLE}@${db.host}:${db.port}/${SHOP_DATABASE}`, cidaasUrl: emulator.url, clientId: CLIENT_ID, clientSecret,
    });
    const config = await loadConfig(files.path);
    step(4, `configuration written: ${files.path}`);
    out.line(`      config dir ${dir} (state store ${files.statePath}; the client secret in a file of its own)`);

    const view = new BackfillProgressView(out, o.progressBar);
    const logger = createLogger({ level: o.verbose ? 'info' : 'warn', format: 'pretty', stream: process.stderr });
    const backfillStarted = Date.now();
    const sidecar = await startDemoSidecar(config, { logger, onBackfillProgress: view.tick });
    o.teardown.add('the sidecar', () => sidecar.stop());
    step(5, `sidecar started in this process (as \`cidaas-sync run\`; ${sidecar.httpUrl}/metrics): backfill of every user`);
    try {
      await untilStreaming(sidecar, o.signal);
    } finally {
      view.stop();
    }
    const backfillMs = since(backfillStarted);
    const rate = (ids.length / backfillMs) * 1000;
    timings.push({ label: `backfill ${count(ids.length)} users`, ms: backfillMs, note: `${count(rate)} users/s` });
    const bulkCalls = emulator.stats().requests['POST /users-srv/user/bulk']?.['200'] ?? 0;
    out.line(`      backfill finished: ${count(ids.length)} users in ${duration(backfillMs)} (${count(rate)} users/s, ${count(bulkCalls)} bulk calls); cidaas holds ${count(emulator.userCount)} users; streaming`);

    step(6, 'live changes in the shop database, each shown when it has landed in cidaas:');
    const newPassword = await hashNewPassword('Correct-Horse-Battery-7');
    const targets = pickTargets(users, ids);
    const live = await timed(
      'live changes',
      () => makeLiveChanges({
        shop, emulator, out, signal: o.signal, subPrefix: SUB_PREFIX, userCount: ids.length, landTimeoutMs: 30_000, newPassword,
        registrationHash: users[0]!.password.hash, targets, sidecarFailure: () => sidecar.failure,
      }),
      (r) => landingNote(r.landed.map((l) => l.landedMs)),
    );
    const oldPassword = users[ids.indexOf(targets.passwordChange)]!.password.plain;
    await timed('login and TOTP checks', () => loginChecks(o, emulator, sidecar, live, newPassword.plain, oldPassword));

    step(7, 'verify: every legacy user against cidaas, field by field (digests, never secrets)');
    const verdict = await timed('verify', () => runDemoVerify({ pipeline: sidecar.pipeline, logger, out, signal: o.signal }), (v) => v);
    if (verdict !== 'EQUAL') {
      throw new SyncError('VERIFY_DIFFERENCES', `verify found differences: ${verdict}`, { hint: 'run the demo with --verbose and report it' });
    }
  } catch (err) {
    failure = err;
  }

  out.line();
  out.line(o.signal.aborted ? 'interrupted: stopping everything' : 'stopping: the sidecar (drains and checkpoints), the emulator, PostgreSQL');
  const stopStarted = Date.now();
  const problems = await o.teardown.run();
  timings.push({ label: 'stop everything', ms: since(stopStarted) });
  for (const p of problems) out.line(`      could not stop ${p}`);
  if (server) {
    const pid = server.pid;
    const gone = pid === undefined || !processExists(pid);
    out.line(`      PostgreSQL pid ${pid ?? '-'} ${gone ? 'stopped' : 'STILL RUNNING'}; removed ${server.rootDir}${configDir ? ` and ${configDir}` : ''}`);
  }
  if (failure !== undefined) throw failure;
  timings.push({ label: 'total', ms: since(started) });
  return timings;
}

async function startPostgres(o: DemoOptions): Promise<ThrowawayPostgres> {
  try {
    return await startThrowawayPostgres({
      tempPrefix: 'cidaas-demo-pg-',
      onCreated: (server) =>
        o.teardown.add('PostgreSQL', () => server.destroy(), () => {
          server.killNow();
          rmSync(server.rootDir, { recursive: true, force: true });
        }),
    });
  } catch (err) {
    if (o.signal.aborted) throw err;
    throw new SyncError('SOURCE_UNAVAILABLE', `could not start a throwaway PostgreSQL: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'the demo needs the PostgreSQL server programs (15 or later): `apt-get install postgresql-15`, or set CIDAAS_PG_BINDIR to the directory holding initdb and postgres',
      cause: err,
    });
  }
}

async function serverVersion(server: ThrowawayPostgres): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]?.v.split(' ')[0] ?? '?';
  } finally {
    await client.end();
  }
}

async function createShop(o: DemoOptions, db: ThrowawayPostgres) {
  const pool = await hashPasswordPool();
  const users = generateUsers(o.users, pool);
  const shop = await DemoShop.create(db);
  o.teardown.add('the shop connections', () => shop.close());
  const seeded = await shop.seed(users, o.signal);
  return { shop, users, ids: seeded.ids, withTotp: seeded.withTotp };
}

async function startCidaas(o: DemoOptions, clientSecret: string): Promise<RunningEmulator> {
  const emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret, latencyMs: o.latencyMs, customFields: ['customer_no'] });
  o.teardown.add('the cidaas emulator', () => emulator.close());
  return emulator;
}

/** Distinct users for the live changes; the TOTP enrolment goes to one without any device. */
function pickTargets(users: ReturnType<typeof generateUsers>, ids: readonly number[]) {
  const mfa = users.findIndex((u, i) => i >= 6 && u.totp === null);
  return { emailChange: ids[41]!, passwordChange: ids[16]!, mfaEnrolment: ids[mfa]!, softDelete: ids[99]!, hardDelete: ids[100]! };
}

async function untilStreaming(sidecar: DemoSidecar, signal: AbortSignal): Promise<void> {
  while (sidecar.runner.phase !== 'streaming') {
    signal.throwIfAborted();
    if (sidecar.failure) throw sidecar.failure;
    if (sidecar.runner.phase === 'stopped' || sidecar.runner.phase === 'failed') {
      throw new SyncError('SOURCE_UNAVAILABLE', `the sidecar stopped during the backfill (phase ${sidecar.runner.phase})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function loginChecks(o: DemoOptions, emulator: RunningEmulator, sidecar: DemoSidecar, live: LiveChangeOutcome, newPassword: string, oldPassword: string): Promise<void> {
  const fresh = await checkLogin(emulator.url, live.passwordSub, newPassword);
  const stale = await checkLogin(emulator.url, live.passwordSub, oldPassword);
  o.out.line(`      login as ${live.passwordSub} in cidaas with the new password: ${verdict(fresh)}; with the old one: ${verdict(stale)}`);
  const totp = await checkTotp(emulator.url, live.totpSub, live.totpSecret);
  o.out.line(`      TOTP code from ${live.totpSub}'s authenticator app, checked by cidaas: ${verdict(totp)}`);
  const ready = await fetch(`${sidecar.httpUrl}/readyz`);
  o.out.line(`      sidecar ${sidecar.httpUrl}/readyz: ${ready.status} ${await ready.text()}`);
  if (!fresh.ok || stale.ok || !totp.ok) {
    throw new SyncError('CIDAAS_REJECTED', 'the login or TOTP check in cidaas did not give the expected answer');
  }
}

function verdict(a: { ok: boolean; reason?: string }): string {
  return a.ok ? 'accepted' : `refused${a.reason ? ` (${a.reason})` : ''}`;
}

function landingNote(ms: readonly number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${sorted.length} changes, each landed in ${duration(sorted[0] ?? 0)}..${duration(sorted.at(-1) ?? 0)} (median ${duration(median)})`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
