import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { ServerUser } from './server-user.js';

/** How to run one program of a database server's installation. */
export interface ServerCommand {
  /** Absolute path of the program. */
  readonly command: string;
  readonly args: readonly string[];
  /** The account to run as; undefined runs as the current user. */
  readonly user: ServerUser | undefined;
  /** Working directory, also the child's HOME. */
  readonly cwd: string;
  /** File that receives the child's stdout and stderr (appended). */
  readonly logFile: string;
}

/** How a child process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The last `lines` lines of a log file, for error messages ('' when unreadable). */
export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Runs a setup program (initdb, mariadb-install-db) to completion; rejects unless it exits 0. */
export async function runToCompletion(spec: ServerCommand, timeoutMs = 60_000): Promise<void> {
  const child = spawnLogged(spec, false);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const exit = await exitOf(child);
    if (exit.code !== 0) {
      throw new Error(
        `${spec.command} failed (${describeExit(exit)}); log ${spec.logFile}:\n${logTail(spec.logFile)}`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A long-running server child. It runs in its own process group, so a Ctrl-C in the
 * terminal reaches only the parent process (test run, demo), which then stops its
 * servers in order.
 */
export class ServerProcess {
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly spec: ServerCommand,
  ) {
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    this.pid = child.pid;
    this.exited = exitOf(child).then((exit) => (this.exit = exit));
  }

  /** Starts the server program; readiness is the caller's to await. */
  static start(spec: ServerCommand): ServerProcess {
    return new ServerProcess(spawnLogged(spec, true), spec);
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /** How it ended, e.g. "exit code 1", for messages; "running" while it runs. */
  describeExit(): string {
    return this.exit ? describeExit(this.exit) : 'running';
  }

  /** Sends `signal` and waits for the exit; SIGKILLs the process group after `timeoutMs`. */
  async stop(signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signalGroup('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }

  /** Sends `signal` to the server process now, synchronously (for exit handlers). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function spawnLogged(spec: ServerCommand, detached: boolean): ChildProcess {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: serverEnv(spec.cwd),
      stdio: ['ignore', log, log],
      detached,
      ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
    });
    // Spawn failures (ENOENT, EACCES) arrive as 'error'; exitOf() turns them into an exit.
    child.on('error', () => undefined);
    return child;
  } finally {
    closeSync(log);
  }
}

/** The parent's environment without libpq/MySQL client variables that would steer the tools. */
function serverEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PG|MYSQL|MARIADB)/.test(key)) env[key] = value;
  }
  return { ...env, HOME: home, LC_ALL: 'C' };
}

function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
}

function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.code === -1 ? 'could not be started' : `exit code ${exit.code}`;
}
