import { rm } from 'node:fs/promises';
import { pollUntil } from './poll-until.js';
import { logTail, ServerProcess } from './server-process.js';
import type { ServerCommand } from './server-process.js';
import type { ServerUser } from './server-user.js';

/**
 * The life cycle shared by the throwaway database servers (test suite, bench, demo):
 * init once, start, stop, restart on the same port and data, close for good.
 * Subclasses say how to set up the data dir, which program to run and how to tell it
 * is ready.
 */
export abstract class ThrowawayServer {
  abstract readonly kind: string;
  readonly host = '127.0.0.1';
  /** Milliseconds the last start took, including the one-time setup for the first one. */
  startupMs = 0;
  /** Signal for a clean shutdown. */
  protected abstract readonly stopSignal: NodeJS.Signals;
  /** Signal that makes the server exit at once (exit handlers). */
  protected abstract readonly killSignal: NodeJS.Signals;
  private process: ServerProcess | undefined;
  private closed = false;
  private initializing: Promise<void> = Promise.resolve();

  constructor(
    /** Temp dir holding the data dir, the socket and the logs. */
    readonly rootDir: string,
    /** TCP port on 127.0.0.1; stays the same across restarts. */
    readonly port: number,
    /** The account the server runs as; undefined for the current user. */
    protected readonly user: ServerUser | undefined,
    /** The server's own log, shown when it fails to start. */
    readonly logFile: string,
  ) {}

  /** True while the server process runs. */
  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** The process id of the last server process started (running or not); undefined before the first start. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The account the server runs as ("postgres"), or undefined for the current user. */
  get userName(): string | undefined {
    return this.user?.name;
  }

  /** Creates the data dir; run once, before the first start(). */
  async init(): Promise<void> {
    this.ensureOpen();
    const started = Date.now();
    this.initializing = this.initialize();
    await this.initializing;
    this.startupMs = Date.now() - started;
  }

  /** Starts the server and resolves once it answers. */
  async start(): Promise<void> {
    this.ensureOpen();
    if (this.running) return;
    const started = Date.now();
    const child = ServerProcess.start(this.serverCommand());
    this.process = child;
    await pollUntil(
      async () => {
        if (!child.running) {
          throw new Error(
            `${this.kind} stopped during startup (${child.describeExit()}); log ${this.logFile}:\n${logTail(this.logFile)}`,
          );
        }
        return this.answers();
      },
      { timeoutMs: 30_000, message: () => `${this.kind} on port ${this.port}; log ${this.logFile}:\n${logTail(this.logFile)}` },
    );
    await this.afterStart();
    this.startupMs += Date.now() - started;
  }

  /** Clean shutdown; waits for the process to exit. */
  async stop(): Promise<void> {
    await this.process?.stop(this.stopSignal);
  }

  /** Stops and starts again on the same port with the same data; every open connection is dropped. */
  async restart(): Promise<void> {
    await this.stop();
    this.startupMs = 0;
    await this.start();
  }

  /**
   * Stops the server for good. A setup still running is let finish (its program must
   * not outlive the caller); a start waiting for readiness fails when the process stops.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.initializing.catch(() => undefined);
    await this.stop();
  }

  /** {@link close}, then deletes the temp dir with the data, socket and logs. */
  async destroy(): Promise<void> {
    await this.close();
    await rm(this.rootDir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Makes the server exit at once, synchronously; for exit handlers. */
  killNow(): void {
    this.process?.signal(this.killSignal);
  }

  /** One-time setup of the data dir (initdb, mariadb-install-db, configuration). */
  protected abstract initialize(): Promise<void>;
  /** The long-running server program. */
  protected abstract serverCommand(): ServerCommand;
  /** True once the server accepts a query; false while it is still starting. */
  protected abstract answers(): Promise<boolean>;
  /** Work after the server first answers (e.g. accounts); runs on every start. */
  protected async afterStart(): Promise<void> {}

  private ensureOpen(): void {
    if (this.closed) throw new Error(`${this.kind} throwaway server in ${this.rootDir} is closed: its run has ended`);
  }
}
