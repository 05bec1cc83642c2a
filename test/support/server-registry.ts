import { rmSync } from 'node:fs';
import { constants } from 'node:os';

/** What the registry needs from a test database server to clean up after a run. */
export interface ManagedServer {
  /** "PostgreSQL" or "MariaDB", for messages. */
  readonly kind: string;
  /** The temp dir holding the data dir, socket and logs; deleted after a passing run. */
  readonly rootDir: string;
  /** Shuts the server down cleanly for good (no later start) and waits for it. */
  close(): Promise<void>;
  /** Makes the server exit right away, synchronously; for exit handlers. */
  killNow(): void;
}

const servers: ManagedServer[] = [];
let runFailed = false;
let handlersInstalled = false;
let interrupted = false;

/**
 * Records a server started in this process, so that it stops when the run ends,
 * fails, or is interrupted. Called by the servers themselves when created.
 */
export function registerServer(server: ManagedServer): void {
  servers.push(server);
  installProcessHandlers();
}

/** Records that a test failed: the data dirs are kept and printed at the end. */
export function markRunFailed(): void {
  runFailed = true;
}

/**
 * Stops every registered server, then deletes their temp dirs, or keeps them and
 * prints their paths to stderr when a test failed.
 */
export async function stopAllServers(): Promise<void> {
  const stopping = [...servers];
  const results = await Promise.allSettled(stopping.map((server) => server.close()));
  const unclean = stopping.filter((_, i) => results[i]?.status === 'rejected');
  for (const server of unclean) server.killNow();
  // Only now leave the registry, so an exit during the stop still kills them.
  for (const server of stopping) servers.splice(servers.indexOf(server), 1);
  settleDirs(stopping, unclean.length > 0);
}

function settleDirs(stopped: readonly ManagedServer[], keep: boolean): void {
  if (stopped.length === 0) return;
  if (runFailed || keep) {
    const lines = stopped.map((server) => `  ${server.kind}: ${server.rootDir}`);
    const why = runFailed ? 'Test run failed' : 'A database server did not stop cleanly';
    process.stderr.write(`\n${why}; database server data kept for inspection:\n${lines.join('\n')}\n`);
    return;
  }
  for (const server of stopped) rmSync(server.rootDir, { recursive: true, force: true, maxRetries: 3 });
}

function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort when the process ends without teardown (uncaught error, process.exit):
  // only synchronous work is possible here, so the data dirs stay and are listed.
  process.on('exit', () => {
    const left = servers.splice(0);
    for (const server of left) server.killNow();
    if (left.length > 0) {
      const lines = left.map((server) => `  ${server.kind}: ${server.rootDir}`);
      process.stderr.write(`\nTest process exited before teardown; servers killed, data left in:\n${lines.join('\n')}\n`);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
}

function onSignal(signal: NodeJS.Signals): void {
  // mocha's launcher forwards one Ctrl-C as SIGINT then SIGTERM: one shutdown serves both.
  if (interrupted) return;
  interrupted = true;
  const exitCode = 128 + (constants.signals[signal] ?? 2);
  const hardStop = setTimeout(() => process.exit(exitCode), 10_000);
  hardStop.unref();
  void stopAllServers()
    .catch(() => undefined)
    .finally(() => process.exit(exitCode));
}
