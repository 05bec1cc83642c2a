/**
 * `npm test` after lint and typecheck: the whole mocha suite on the oldest supported PostgreSQL,
 * then the PostgreSQL suites shared by every version on each other version asked for.
 *
 *   (unset)                          15 for everything, then 18 for the spine, kill -9, go-live, the source
 *   TEST_PG_VERSIONS=oldest,newest   15 for everything, then 18 for every shared PostgreSQL suite
 *   TEST_PG_VERSIONS=all             every supported version (15, 16, 17, 18)
 *   TEST_PG_VERSIONS=17              one version, for everything
 *   TEST_PG_VERSIONS=all npm run test:matrix -- FILE...   those files on each version (no lint)
 *   TEST_JOBS=1                      one mocha process per version, one after another, output as it comes
 *
 * The first version listed runs everything; the others run {@link SHARED_POSTGRES_SUITES}
 * ({@link NEWEST_SUITES} when TEST_PG_VERSIONS is unset).
 * The binaries come from npm (tools/throwaway/postgres-binaries.ts): the installed optional
 * dependency, or fetched once into node_modules/.cache. First the machine is set up
 * (test/machine-setup.ts: MariaDB through apt-get when run as root).
 *
 * Then `npm run build` compiles dist/ (incrementally: seconds when little changed), and every CLI
 * process a test starts (`node bin/cidaas-sync.js`) runs it with CIDAAS_SYNC_USE_DIST=1 instead of
 * compiling the sources through tsx at each start. Should the build fail, the tests run the
 * sources, as a plain `npx mocha FILE` does without a current build.
 *
 * The files run in TEST_JOBS parallel jobs (default 2): the suites mostly wait (for servers, HTTP,
 * child processes), so a 2-core machine sits at a load of about 1 running them one by one. Each
 * job is one mocha process per PostgreSQL version with its own throwaway servers (free ports, temp
 * dirs, names with its pid); every (version, file) pair goes, longest first, to the job with the
 * least work so far (test/test-plan.ts), so the newest version's files overlap the oldest's instead
 * of running as a stage of their own. The durations are the ones measured on this checkout's last
 * runs (node_modules/.cache/cidaas-sync-test-durations.json), else those of test/durations.json
 * (refresh it by copying the former over it). A job's output is printed whole when its mocha process
 * ends (live in the log files named at the start, kept when something failed), then a summary:
 * passing, pending and failing per job and version, and the wall time per version.
 * Measured times: README.md, "The two commands".
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresBindir, SUPPORTED_POSTGRES_VERSIONS } from '../tools/throwaway/postgres-binaries.js';
import { ensureMachine } from './machine-setup.js';
import { parsePostgresVersions } from './postgres-versions.js';
import { expandSpec, parseMochaSummary, planJobs } from './test-plan.js';
import type { MochaSummary, PlannedFile } from './test-plan.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Everything. */
const ALL_SUITES = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'];

/** What the newest version runs in a plain `npm test`: the spine, kill -9, go-live and the source's own tests. */
const NEWEST_SUITES = [
  'test/integration/sync/sync-postgres.test.ts',
  'test/integration/sync/kill9-postgres.test.ts',
  'test/integration/sync/go-live-postgres.test.ts',
  'test/integration/postgres/*.test.ts',
];

/**
 * The PostgreSQL suites shared by every supported version, run on each with TEST_PG_VERSIONS set:
 * the above, chaos and the surroundings (in a plain `npm test` they run on the oldest only, which
 * keeps the run under 15 minutes on 2 cores).
 */
const SHARED_POSTGRES_SUITES = [
  ...NEWEST_SUITES,
  'test/integration/chaos/chaos-postgres.test.ts',
  'test/integration/chaos/chaos-regressions-postgres.test.ts',
  'test/integration/chaos/surroundings-postgres.test.ts',
];

/** The committed file durations (ms): the plan of a checkout that has not run the tests yet. */
const COMMITTED_DURATIONS = join(ROOT, 'test', 'durations.json');
/** The durations measured by this checkout's runs, newest first in precedence. */
const MEASURED_DURATIONS = join(ROOT, 'node_modules', '.cache', 'cidaas-sync-test-durations.json');

function say(line: string): void {
  process.stdout.write(`npm test: ${line}\n`);
}

function mochaArgs(files: readonly string[], color: boolean): string[] {
  return [fileURLToPath(import.meta.resolve('mocha/bin/mocha.js')), ...(color ? ['--color'] : []), ...files];
}

/** One mocha process, its output passed straight through (TEST_JOBS=1). */
function mocha(files: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, mochaArgs(files, false), { cwd: ROOT, env, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** What one mocha process of a job did. */
interface JobRun {
  readonly job: number;
  readonly major: number;
  readonly files: number;
  readonly code: number;
  readonly summary: MochaSummary | undefined;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** The running mocha processes of the parallel jobs, to pass an interrupt on to. */
const running = new Set<ChildProcess>();

/**
 * Ctrl-C reaches the jobs' mocha processes along with us; a `kill` of this process alone is passed
 * on. Either way they stop their servers, and their output so far is printed as they end.
 */
function forwardInterrupts(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      for (const child of running) child.kill(signal);
    });
  }
}

/**
 * One mocha process of a parallel job: stdout and stderr in one buffer (and, live, in `log`),
 * printed whole when it ends, so the jobs' outputs never interleave.
 */
function bufferedMocha(files: readonly string[], env: NodeJS.ProcessEnv, log: string, title: string): Promise<{ code: number; summary: MochaSummary | undefined }> {
  const child = spawn(process.execPath, mochaArgs(files, process.stdout.isTTY === true), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const chunks: Buffer[] = [];
  const file = createWriteStream(log);
  const take = (chunk: Buffer): void => {
    chunks.push(chunk);
    file.write(chunk);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((resolve) => {
    // 'close': after the exit and the last of its output.
    child.once('close', (code, signal) => {
      running.delete(child);
      file.end();
      const output = Buffer.concat(chunks).toString('utf8');
      const summary = parseMochaSummary(output);
      const result = code ?? (signal ? 1 : 0);
      const verdict = result === 0 ? 'passed' : signal ? `killed by ${signal}` : `failed (exit code ${result})`;
      process.stdout.write(`\nnpm test: ===== ${title}: start =====\n${output}\nnpm test: ===== ${title}: ${verdict} =====\n`);
      resolve({ code: result, summary });
    });
  });
}

/** `npm run build`; true when dist/ is complete and current. */
function build(): Promise<boolean> {
  const npm = process.env.npm_execpath;
  // Under npm, npm_execpath is its CLI script; run directly, the `npm` on the PATH.
  const [command, args] = npm ? [process.execPath, [npm, 'run', '--silent', 'build']] : ['npm', ['run', '--silent', 'build']];
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function readDurations(path: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Adds this run's measured durations to the checkout's record (written whole, then renamed: jobs of other checkouts may read it). */
function saveDurations(measured: Readonly<Record<string, number>>): void {
  if (Object.keys(measured).length === 0) return;
  const merged = { ...readDurations(MEASURED_DURATIONS), ...measured };
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  try {
    mkdirSync(join(MEASURED_DURATIONS, '..'), { recursive: true });
    const partial = `${MEASURED_DURATIONS}.${process.pid}`;
    writeFileSync(partial, `${JSON.stringify(sorted, null, 2)}\n`);
    renameSync(partial, MEASURED_DURATIONS);
  } catch {
    // Only the next run's balance suffers.
  }
}

/** The repository's test files, `/`-separated and relative to it, for expanding globs. */
function testFiles(): string[] {
  return readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' }).map((path) => `test/${path.split('\\').join('/')}`);
}

/** The specs each version runs: those given on the command line, else everything on the first and the shared suites on the others. */
function specsFor(versions: readonly number[], only: readonly string[]): Map<number, readonly string[]> {
  const shared = process.env.TEST_PG_VERSIONS ? SHARED_POSTGRES_SUITES : NEWEST_SUITES;
  return new Map(versions.map((major, i) => [major, only.length ? only : i === 0 ? ALL_SUITES : shared]));
}

function describeSpecs(only: readonly string[], i: number, count: number): string {
  if (only.length) return only.join(' ');
  return i === 0 ? 'every suite' : `the shared PostgreSQL suites (${count} files)`;
}

async function serial(versions: readonly number[], only: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const timings: string[] = [];
  const specs = specsFor(versions, only);
  for (const [i, major] of versions.entries()) {
    const bindir = embeddedPostgresBindir(major, say);
    const files = specs.get(major)!;
    say(`PostgreSQL ${major} (${bindir}): ${describeSpecs(only, i, files.length)}`);
    const started = Date.now();
    const code = await mocha(files, { ...env, CIDAAS_TEST_PG_BINDIR: bindir });
    timings.push(`PostgreSQL ${major} ${minutes(Date.now() - started)}`);
    if (code !== 0) {
      say(`failed on PostgreSQL ${major} (${timings.join(', ')})`);
      return code;
    }
  }
  say(`passed on PostgreSQL ${versions.join(', ')} (${timings.join(', ')})${moreVersions(versions)}`);
  return 0;
}

function moreVersions(versions: readonly number[]): string {
  return versions.length < SUPPORTED_POSTGRES_VERSIONS.length ? '; TEST_PG_VERSIONS=all npm test runs every supported version' : '';
}

function counts(summary: MochaSummary | undefined): string {
  if (!summary) return 'no mocha summary (it crashed: see its output above)';
  return `${summary.passing} passing, ${summary.pending} pending, ${summary.failing} failing`;
}

async function parallel(versions: readonly number[], only: readonly string[], jobs: number, env: NodeJS.ProcessEnv): Promise<number> {
  const available = testFiles();
  const specs = specsFor(versions, only);
  const bindirs = new Map<number, string>();
  const planned: PlannedFile[] = [];
  for (const [i, major] of versions.entries()) {
    bindirs.set(major, embeddedPostgresBindir(major, say));
    const files = [...new Set(specs.get(major)!.flatMap((spec) => expandSpec(spec, available)))];
    say(`PostgreSQL ${major} (${bindirs.get(major)}): ${describeSpecs(only, i, files.length)}`);
    planned.push(...files.map((file) => ({ major, file })));
  }
  const durations = { ...readDurations(COMMITTED_DURATIONS), ...readDurations(MEASURED_DURATIONS) };
  const plan = planJobs(planned, jobs, durations, versions);
  const logs = mkdtempSync(join(tmpdir(), 'cidaas-sync-test-'));
  for (const [j, job] of plan.entries()) {
    const runs = job.runs.map((r) => `PostgreSQL ${r.major}: ${r.files.length} files`).join(', ');
    say(`job ${j + 1}: ${runs}, about ${minutes(job.expectedMs)} by the recorded durations`);
  }
  say(`${plan.length} jobs in parallel (TEST_JOBS=1: one after another); their output as they go: ${logs}/*.log`);

  forwardInterrupts();
  const started = Date.now();
  const results: JobRun[] = [];
  await Promise.all(plan.map(async (job, j) => {
    for (const run of job.runs) {
      const name = `job${j + 1}-pg${run.major}`;
      const runStarted = Date.now();
      const { code, summary } = await bufferedMocha(
        run.files,
        { ...env, CIDAAS_TEST_PG_BINDIR: bindirs.get(run.major)!, CIDAAS_TEST_DURATIONS: join(logs, `${name}.durations.json`) },
        join(logs, `${name}.log`),
        `job ${j + 1}, PostgreSQL ${run.major} (${run.files.length} files)`,
      );
      results.push({ job: j + 1, major: run.major, files: run.files.length, code, summary, startedAt: runStarted, endedAt: Date.now() });
    }
  }));

  const measured: Record<string, number> = {};
  for (const name of readdirSync(logs).filter((f) => f.endsWith('.durations.json'))) Object.assign(measured, readDurations(join(logs, name)));
  saveDurations(measured);

  say('summary:');
  results.sort((a, b) => a.job - b.job || versions.indexOf(a.major) - versions.indexOf(b.major));
  for (const r of results) {
    say(`  job ${r.job}, PostgreSQL ${r.major}, ${r.files} files: ${counts(r.summary)} in ${minutes(r.endedAt - r.startedAt)}${r.code === 0 ? '' : ` (exit code ${r.code})`}`);
  }
  const perVersion = versions.map((major) => {
    const mine = results.filter((r) => r.major === major);
    const from = Math.min(...mine.map((r) => r.startedAt));
    const to = Math.max(...mine.map((r) => r.endedAt));
    return `PostgreSQL ${major} ${minutes(to - from)}`;
  });
  const wall = `wall time ${minutes(Date.now() - started)} (${perVersion.join(', ')}, overlapping)`;
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) {
    const where = failed.map((r) => `job ${r.job} on PostgreSQL ${r.major}`).join(', ');
    say(`FAILED: ${where}; ${wall}. Their output is above, and kept in ${logs}`);
    return failed[0]!.code;
  }
  rmSync(logs, { recursive: true, force: true });
  say(`passed on PostgreSQL ${versions.join(', ')}: ${wall}${moreVersions(versions)}`);
  return 0;
}

/** TEST_JOBS: how many mocha processes run at once; default 2. */
function jobCount(): number {
  const setting = process.env.TEST_JOBS?.trim();
  if (!setting) return 2;
  if (!/^[1-9]\d*$/.test(setting)) throw new Error(`TEST_JOBS=${setting}: a positive whole number (1: one mocha process after another)`);
  return Number(setting);
}

async function main(): Promise<number> {
  let versions: number[];
  let jobs: number;
  try {
    versions = parsePostgresVersions(process.env.TEST_PG_VERSIONS, SUPPORTED_POSTGRES_VERSIONS);
    jobs = jobCount();
  } catch (err) {
    say((err as Error).message);
    return 2;
  }
  // `npm run test:matrix -- <files>`: those files on each version instead.
  const only = process.argv.slice(2);
  if (!ensureMachine(say)) return 1;
  const buildStarted = Date.now();
  const built = await build();
  say(built
    ? `built dist/ in ${minutes(Date.now() - buildStarted)}: the CLI processes run it`
    : 'the build failed (see above): the CLI processes run the sources through tsx');
  const env: NodeJS.ProcessEnv = { ...process.env, CIDAAS_SYNC_USE_DIST: built ? '1' : '0' };
  if (!existsSync(COMMITTED_DURATIONS) && jobs > 1) say(`no ${COMMITTED_DURATIONS}: the jobs are balanced by file count until a run has measured them`);
  return jobs === 1 ? serial(versions, only, env) : parallel(versions, only, jobs, env);
}

process.exitCode = await main();
