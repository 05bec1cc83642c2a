import { execFileSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { runToCompletion } from './server-process.js';
import type { ServerCommand } from './server-process.js';
import { registerServer } from './server-registry.js';
import { handOver, resolveServerUser, serverTempBase } from './server-user.js';
import type { ServerUser } from './server-user.js';
import { TestServer } from './test-server.js';

const DEBIAN_PG15_BINDIR = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL cluster for tests: its own temp data dir, a free port on
 * 127.0.0.1, `wal_level=logical`, trust authentication (replication included) and
 * fsync off. Create it with {@link startPostgresServer}.
 */
export class PostgresServer extends TestServer {
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
        '# cidaas-sync test server',
        `listen_addresses = '${this.host}'`,
        `port = ${this.port}`,
        `unix_socket_directories = '${this.socketDir}'`,
        'wal_level = logical',
        'max_replication_slots = 32',
        'max_wal_senders = 32',
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        "timezone = 'UTC'",
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(this.dataDir, 'pg_hba.conf'),
      [
        'local all         all              trust',
        'host  all         all 127.0.0.1/32 trust',
        'local replication all              trust',
        'host  replication all 127.0.0.1/32 trust',
        '',
      ].join('\n'),
    );
  }

  protected serverCommand(): ServerCommand {
    return this.command('postgres', ['-D', this.dataDir], this.logFile);
  }

  protected async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
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

/** Creates, configures and starts a new PostgreSQL cluster; it stops when the test run ends. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bindir = postgresBindir();
  const user = resolveServerUser(['postgres']);
  const rootDir = mkdtempSync(join(serverTempBase(user), 'cidaas-test-pg-'));
  handOver(rootDir, user);
  const server = new PostgresServer(bindir, rootDir, await freePort(), user);
  registerServer(server);
  await server.init();
  await server.start();
  return server;
}

/** The PostgreSQL programs: $CIDAAS_TEST_PG_BINDIR, else `pg_config --bindir`, else Debian's PG 15 path. */
export function postgresBindir(): string {
  const candidates = [process.env['CIDAAS_TEST_PG_BINDIR'], pgConfigBindir(), DEBIAN_PG15_BINDIR];
  for (const dir of candidates) {
    if (dir && isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'))) return dir;
  }
  throw new Error(
    `no PostgreSQL server programs found (looked in ${candidates.filter(Boolean).join(', ')}): ` +
      'install postgresql-15 or set CIDAAS_TEST_PG_BINDIR to the directory holding initdb and postgres',
  );
}

function pgConfigBindir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
