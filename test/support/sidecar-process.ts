import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The sidecar CLI (`bin/cidaas-sync.js`) as a child process for integration tests: its
 * stdout JSON log lines parsed as they arrive, its stderr kept, and ways to wait for a
 * line or the exit, kill -9 it or stop it with SIGTERM. Every process started here is
 * registered; {@link killAllSidecars} (from an `after` hook) and, as a last resort,
 * this process's own exit kill whatever is left.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A stdout line: a JSON log object (`level`, `message` and its fields), or `{ message: <raw line> }` for any other line. */
export interface SidecarLine {
  readonly level?: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface SidecarExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What to run. */
export interface SidecarOptions {
  /** CLI arguments, e.g. `['run', '--config', path]`. */
  readonly args: readonly string[];
  /** Added to (and overriding) this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running (or ended) sidecar CLI process. */
export interface SidecarProcess {
  readonly pid: number;
  /** Every stdout line so far, parsed, in order. */
  readonly lines: readonly SidecarLine[];
  /** All stderr output so far. */
  readonly stderr: string;
  /** The exit, once it happened. */
  readonly exit: SidecarExit | undefined;
  /**
   * The first line so far or from now on that matches; rejects after `timeoutMs`
   * (default 15 000) or when the process ends first, with its stderr tail.
   */
  waitForLine(predicate: (line: SidecarLine) => boolean, timeoutMs?: number): Promise<SidecarLine>;
  /** Resolves when the process has ended; rejects after `timeoutMs` (default 15 000). */
  waitForExit(timeoutMs?: number): Promise<SidecarExit>;
  /** SIGKILL, as a crash or `kill -9` would; resolves when it is gone. */
  kill9(): Promise<SidecarExit>;
  /** SIGTERM (drain and checkpoint), then awaits the exit; SIGKILL and rejects after `timeoutMs` (default 30 000). */
  terminate(timeoutMs?: number): Promise<SidecarExit>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** One stdout line as {@link SidecarProcess.lines} holds it. */
export function parseSidecarLine(raw: string): SidecarLine {
  if (raw.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const obj = parsed as Record<string, unknown>;
        return { ...obj, message: typeof obj['message'] === 'string' ? obj['message'] : raw };
      }
    } catch {
      // Not JSON after all: kept raw below.
    }
  }
  return { message: raw };
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? '(no stderr)' : trimmed.length > 2000 ? `...${trimmed.slice(-2000)}` : trimmed;
}

/**
 * Starts `node bin/cidaas-sync.js <args>` in the repository root. It runs the build in dist/
 * under `npm test` (which builds it and sets CIDAAS_SYNC_USE_DIST=1), and otherwise whatever
 * bin/cidaas-sync.js picks: dist/ when current, else the sources through tsx.
 */
export function startSidecar(options: SidecarOptions): SidecarProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // mocha --exit ends this process without after hooks on some paths: no orphan may survive it.
    process.on('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const child = spawn(process.execPath, ['bin/cidaas-sync.js', ...options.args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: SidecarLine[] = [];
  let stderr = '';
  let partial = '';
  let exit: SidecarExit | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };

  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const raw = partial.slice(0, nl).replace(/\r$/, '');
      partial = partial.slice(nl + 1);
      if (raw !== '') lines.push(parseSidecarLine(raw));
    }
    notify();
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' (not 'exit'): stdout and stderr are fully read by then.
  child.on('close', (code, signal) => {
    if (partial !== '') lines.push(parseSidecarLine(partial));
    partial = '';
    exit = { code, signal };
    running.delete(child);
    notify();
  });
  child.on('error', (err) => {
    stderr += `\n[spawn error] ${err.message}`;
  });

  const until = <T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      const listener = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (err) {
          done();
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (value !== undefined) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`sidecar ${child.pid}: timed out after ${timeoutMs} ms waiting for ${what()}; stderr: ${tail(stderr)}`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });

  const waitForExit = (timeoutMs = 15_000): Promise<SidecarExit> => until(() => exit, timeoutMs, () => 'its exit');

  const proc: SidecarProcess = {
    pid: child.pid ?? -1,
    get lines() {
      return lines;
    },
    get stderr() {
      return stderr;
    },
    get exit() {
      return exit;
    },
    waitForLine(predicate, timeoutMs = 15_000) {
      let seen = 0;
      return until(
        () => {
          for (; seen < lines.length; seen++) {
            const line = lines[seen]!;
            if (predicate(line)) return line;
          }
          if (exit) throw new Error(`sidecar ${child.pid} exited (${exit.signal ?? exit.code}) before the awaited line; stderr: ${tail(stderr)}`);
          return undefined;
        },
        timeoutMs,
        () => `a matching line (${lines.length} lines so far)`,
      );
    },
    waitForExit,
    kill9() {
      if (!exit) child.kill('SIGKILL');
      return waitForExit();
    },
    async terminate(timeoutMs = 30_000) {
      if (!exit) child.kill('SIGTERM');
      try {
        return await waitForExit(timeoutMs);
      } catch (err) {
        child.kill('SIGKILL');
        await waitForExit();
        throw err;
      }
    },
  };
  return proc;
}

/** SIGKILLs every sidecar still running and waits until they are gone. Call it from an `after` hook. */
export async function killAllSidecars(): Promise<void> {
  const left = [...running];
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            running.delete(child);
            resolve();
            return;
          }
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
