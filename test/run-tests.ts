/**
 * `npm test` after lint and typecheck: the whole mocha suite on the oldest supported PostgreSQL,
 * then the PostgreSQL suites shared by every version on each other version asked for.
 *
 *   (unset)                          15 for everything, then 18 for the spine, kill -9, go-live, the source
 *   TEST_PG_VERSIONS=oldest,newest   15 for everything, then 18 for every shared PostgreSQL suite
 *   TEST_PG_VERSIONS=all             every supported version (15, 16, 17, 18)
 *   TEST_PG_VERSIONS=17              one version, for everything
 *   TEST_PG_VERSIONS=all npm run test:matrix -- FILE...   those files on each version (no lint)
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
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresBindir, SUPPORTED_POSTGRES_VERSIONS } from '../tools/throwaway/postgres-binaries.js';
import { ensureMachine } from './machine-setup.js';
import { parsePostgresVersions } from './postgres-versions.js';

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

function say(line: string): void {
  process.stdout.write(`npm test: ${line}\n`);
}

function mocha(files: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.resolve('mocha/bin/mocha.js')), ...files], {
    cwd: ROOT, env, stdio: 'inherit',
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
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

async function main(): Promise<number> {
  let versions: number[];
  try {
    versions = parsePostgresVersions(process.env.TEST_PG_VERSIONS, SUPPORTED_POSTGRES_VERSIONS);
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
  const cliEnv: NodeJS.ProcessEnv = built ? { CIDAAS_SYNC_USE_DIST: '1' } : { CIDAAS_SYNC_USE_DIST: '0' };
  const timings: string[] = [];
  for (const [i, major] of versions.entries()) {
    const bindir = embeddedPostgresBindir(major, say);
    const shared = process.env.TEST_PG_VERSIONS ? SHARED_POSTGRES_SUITES : NEWEST_SUITES;
    const files = only.length ? only : i === 0 ? ALL_SUITES : shared;
    say(`PostgreSQL ${major} (${bindir}): ${only.length ? only.join(' ') : i === 0 ? 'every suite' : `the shared PostgreSQL suites (${files.length} files or globs)`}`);
    const started = Date.now();
    const code = await mocha(files, { ...process.env, ...cliEnv, CIDAAS_TEST_PG_BINDIR: bindir });
    timings.push(`PostgreSQL ${major} ${minutes(Date.now() - started)}`);
    if (code !== 0) {
      say(`failed on PostgreSQL ${major} (${timings.join(', ')})`);
      return code;
    }
  }
  const rest = versions.length < SUPPORTED_POSTGRES_VERSIONS.length ? '; TEST_PG_VERSIONS=all npm test runs every supported version' : '';
  say(`passed on PostgreSQL ${versions.join(', ')} (${timings.join(', ')})${rest}`);
  return 0;
}

process.exitCode = await main();
