import { accessSync, constants, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { ConnectionOptions } from 'mysql2/promise';
import { freePort } from './free-port.js';
import { runToCompletion } from './server-process.js';
import type { ServerCommand } from './server-process.js';
import { registerServer } from './server-registry.js';
import { handOver, resolveServerUser, serverTempBase } from './server-user.js';
import type { ServerUser } from './server-user.js';
import { writeServerTls, type ServerTls, type ServerTlsFiles } from '../../tools/throwaway/server-tls.js';
import { TestServer } from './test-server.js';

/** Password of the TCP superuser `root@127.0.0.1` on test servers (mysql_native_password). */
export const MARIADB_TEST_PASSWORD = 'test';

/** Where the MariaDB programs are. */
export interface MariaDbPrograms {
  /** mariadbd (or mysqld). */
  readonly server: string;
  /** mariadb-install-db (or mysql_install_db). */
  readonly installDb: string;
}

/**
 * A throwaway MariaDB server for tests: its own temp data dir, a free port on
 * 127.0.0.1, a ROW binlog with full images and full row metadata, GTID domain 0,
 * no flushing to disk. Create it with {@link startMariaDbServer}.
 */
export class MariaDbServer extends TestServer {
  readonly kind = 'MariaDB';
  protected readonly stopSignal = 'SIGTERM'; // clean shutdown
  protected readonly killSignal = 'SIGKILL'; // InnoDB recovers on a later start
  /** The server's data directory; the binlog (`mariadb-bin.*`) lives here too. */
  readonly dataDir: string;
  /** Unix socket, where `root@localhost` logs in without a password. */
  readonly socketPath: string;
  private tcpSuperuserReady = false;
  private tlsFiles: ServerTlsFiles | undefined;

  constructor(
    private readonly programs: MariaDbPrograms,
    rootDir: string,
    port: number,
    user: ServerUser | undefined,
    /** When set, TCP connections must use TLS (`require_secure_transport`) with this certificate. */
    readonly tls?: ServerTls,
  ) {
    super(rootDir, port, user, join(rootDir, 'mariadbd.err'));
    this.dataDir = join(rootDir, 'data');
    this.socketPath = join(rootDir, 'mariadb.sock');
  }

  /** Superuser URL over TCP, without a database: `mysql://root:test@127.0.0.1:PORT/`. */
  get url(): string {
    return this.urlFor('');
  }

  /** Superuser URL over TCP with `database` as the default schema. */
  urlFor(database: string): string {
    return `mysql://root:${MARIADB_TEST_PASSWORD}@${this.host}:${this.port}/${encodeURIComponent(database)}`;
  }

  protected async initialize(): Promise<void> {
    await runToCompletion(
      this.command(
        this.programs.installDb,
        [
          '--no-defaults',
          `--datadir=${this.dataDir}`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          '--skip-name-resolve',
        ],
        join(this.rootDir, 'install-db.log'),
      ),
    );
  }

  protected serverCommand(): ServerCommand {
    return this.command(
      this.programs.server,
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--socket=${this.socketPath}`,
        `--port=${this.port}`,
        `--bind-address=${this.host}`,
        `--pid-file=${join(this.rootDir, 'mariadbd.pid')}`,
        `--log-error=${this.logFile}`,
        `--tmpdir=${this.rootDir}`,
        '--log-bin=mariadb-bin',
        '--binlog-format=ROW',
        '--binlog-row-image=FULL',
        '--binlog-row-metadata=FULL',
        '--server-id=1',
        '--log-slave-updates',
        '--gtid-domain-id=0',
        '--innodb-flush-log-at-trx-commit=0',
        '--sync-binlog=0',
        '--innodb-buffer-pool-size=128M',
        '--skip-name-resolve',
        // Debian's packaged default; the compiled-in default would be latin1.
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
        ...this.tlsArguments(),
      ],
      join(this.rootDir, 'mariadbd.out'),
    );
  }

  /** Server options for {@link tls}; the files are written on the first start. */
  private tlsArguments(): string[] {
    if (this.tls === undefined) return [];
    this.tlsFiles ??= writeServerTls(this.rootDir, this.tls, this.user);
    const { certFile, keyFile, caFile } = this.tlsFiles;
    return [`--ssl-cert=${certFile}`, `--ssl-key=${keyFile}`, ...(caFile === undefined ? [] : [`--ssl-ca=${caFile}`]), '--require-secure-transport=ON'];
  }

  protected async answers(): Promise<boolean> {
    return canQuery({ socketPath: this.socketPath, user: 'root' });
  }

  protected override async afterStart(): Promise<void> {
    if (!this.tcpSuperuserReady) await this.createTcpSuperuser();
    if (!(await canQuery({ uri: this.url, ...(this.tls === undefined ? {} : { ssl: { rejectUnauthorized: false } }) }))) {
      throw new Error(`MariaDB on port ${this.port} refuses root@127.0.0.1; log ${this.logFile}`);
    }
  }

  // mysql2 cannot do ed25519: the test superuser uses mysql_native_password.
  private async createTcpSuperuser(): Promise<void> {
    const connection = await mysql.createConnection({ socketPath: this.socketPath, user: 'root' });
    try {
      await connection.query("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
      await connection.query("ALTER USER 'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD(?)", [
        MARIADB_TEST_PASSWORD,
      ]);
      await connection.query("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
      this.tcpSuperuserReady = true;
    } finally {
      await connection.end();
    }
  }

  private command(command: string, args: string[], logFile: string): ServerCommand {
    return { command, args, user: this.user, cwd: this.rootDir, logFile };
  }
}

/** Creates and starts a new MariaDB server; it stops when the test run ends. */
export async function startMariaDbServer(o: { tls?: ServerTls } = {}): Promise<MariaDbServer> {
  const programs = mariaDbPrograms();
  const user = resolveServerUser(['mysql']);
  const rootDir = mkdtempSync(join(serverTempBase(user), 'cidaas-test-mariadb-'));
  handOver(rootDir, user);
  const server = new MariaDbServer(programs, rootDir, await freePort(), user, o.tls);
  registerServer(server);
  await server.init();
  await server.start();
  return server;
}

/** Finds the installed MariaDB programs (Debian paths first). */
export function mariaDbPrograms(): MariaDbPrograms {
  const server = firstExecutable(['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/sbin/mysqld']);
  const installDb = firstExecutable(['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db']);
  if (!server || !installDb) {
    throw new Error('no MariaDB server programs found (mariadbd, mariadb-install-db): run `apt-get install mariadb-server`');
  }
  return { server, installDb };
}

async function canQuery(options: ConnectionOptions): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ ...options, connectTimeout: 2_000 });
    try {
      await connection.query('SELECT 1');
      return true;
    } finally {
      await connection.end().catch(() => undefined);
    }
  } catch {
    return false;
  }
}

function firstExecutable(paths: readonly string[]): string | undefined {
  return paths.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
