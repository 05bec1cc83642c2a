/**
 * `npm test` after lint and typecheck: the whole mocha suite on the oldest supported PostgreSQL,
 * then the PostgreSQL suites shared by every version on each other version asked for.
 *
 *   TEST_PG_VERSIONS=oldest,newest   (default) 15 for everything, then 18 for the shared suites
 *   TEST_PG_VERSIONS=all             every supported version (15, 16, 17, 18)
 *   TEST_PG_VERSIONS=17              one version, for everything
 *
 * The first version listed runs everything; the others run {@link SHARED_POSTGRES_SUITES}.
 * The binaries come from npm (src/throwaway/postgres-binaries.ts): the installed optional
 * dependency, or fetched once into node_modules/.cache. First the machine is set up
 * (test/machine-setup.ts: MariaDB through apt-get when run as root).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresBindir, SUPPORTED_POSTGRES_VERSIONS } from '../src/throwaway/postgres-binaries.js';
import { ensureMachine } from './machine-setup.js';
import { parsePostgresVersions } from './postgres-versions.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Everything. */
const ALL_SUITES = ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'];

/** The PostgreSQL suites every supported version runs: the spine, kill -9, go-live, chaos, the surroundings, the source. */
export const SHARED_POSTGRES_SUITES = [
  'test/integration/sync/sync-postgres.test.ts',
  'test/integration/sync/kill9-postgres.test.ts',
  'test/integration/sync/go-live-postgres.test.ts',
  'test/integration/chaos/chaos-postgres.test.ts',
  'test/integration/chaos/chaos-regressions-postgres.test.ts',
  'test/integration/chaos/surroundings-postgres.test.ts',
  'test/integration/postgres/*.test.ts',
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

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

async function main(): Promise<number> {
  const versions = parsePostgresVersions(process.env.TEST_PG_VERSIONS, SUPPORTED_POSTGRES_VERSIONS);
  if (!ensureMachine(say)) return 1;
  const timings: string[] = [];
  for (const [i, major] of versions.entries()) {
    const bindir = embeddedPostgresBindir(major, say);
    const files = i === 0 ? ALL_SUITES : SHARED_POSTGRES_SUITES;
    say(`PostgreSQL ${major} (${bindir}): ${i === 0 ? 'every suite' : 'the shared PostgreSQL suites'}`);
    const started = Date.now();
    const code = await mocha(files, { ...process.env, CIDAAS_TEST_PG_BINDIR: bindir });
    timings.push(`PostgreSQL ${major} ${minutes(Date.now() - started)}`);
    if (code !== 0) {
      say(`failed on PostgreSQL ${major} (${timings.join(', ')})`);
      return code;
    }
  }
  say(`passed on PostgreSQL ${versions.join(', ')} (${timings.join(', ')}); TEST_PG_VERSIONS=all runs every supported version`);
  return 0;
}

process.exitCode = await main();
