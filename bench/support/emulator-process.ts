import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EmulatorOptions, EmulatorStats, FaultRule } from '../../tools/emulator/cidaas-emulator.js';

const BULK = 'POST /users-srv/user/bulk';

/** Bulk calls in `stats`: all of them, and those answered 429. */
export function bulkCalls(stats: EmulatorStats): { all: number; throttled: number } {
  const byStatus = stats.requests[BULK] ?? {};
  return { all: Object.values(byStatus).reduce((a, b) => a + b, 0), throttled: byStatus['429'] ?? 0 };
}

/** A cidaas emulator in a child process (bench/support/emulator-child.ts), driven over IPC. */
export class EmulatorProcess {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess, readonly url: string) {
    child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(`emulator child: ${m.error ?? 'failed'}`));
    });
    child.on('exit', () => {
      for (const p of this.#pending.values()) p.reject(new Error('the emulator child exited'));
      this.#pending.clear();
    });
  }

  /** Starts an emulator with `options` in a new process; resolves once it listens. */
  static async start(options: EmulatorOptions): Promise<EmulatorProcess> {
    const child = fork(fileURLToPath(new URL('./emulator-child.ts', import.meta.url)), [JSON.stringify(options)], {
      execArgv: ['--import=tsx', '--max-old-space-size=4096'],
      // Its stdout goes to our stderr: stdout is for the JSON lines only.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    const [ready] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => [undefined])])) as [{ url: string } | undefined];
    if (!ready) throw new Error('the emulator child exited before it was ready');
    return new EmulatorProcess(child, ready.url);
  }

  #ask<T>(op: string, arg?: unknown): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, arg });
    });
  }

  stats(): Promise<EmulatorStats> { return this.#ask('stats'); }
  /** Empties the store, the faults and the counters. */
  reset(): Promise<void> { return this.#ask('reset'); }
  addFaults(rules: FaultRule[]): Promise<void> { return this.#ask('addFaults', rules); }
  clearFaults(): Promise<void> { return this.#ask('clearFaults'); }
  userCount(): Promise<number> { return this.#ask('userCount'); }
  /** The child's process id (for its CPU time). */
  get pid(): number { return this.child.pid!; }
  /** Starts noting every user stored (see emulator-child.ts); resolves with the index the notes start at. */
  watchArrivals(): Promise<number> { return this.#ask('watchArrivals'); }
  /** The users stored since `from` (an index): [sub, given_name, epoch ms]. */
  arrivals(from: number): Promise<[string, string | null, number][]> { return this.#ask('arrivals', from); }
  /** When each bulk call arrived since the start or the last reset (ms since epoch, in order). */
  bulkArrivals(): Promise<number[]> { return this.#ask('bulkArrivals'); }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ id: ++this.#next, op: 'close' });
    await exited;
  }
}
