import type { EmulatorProcess } from './emulator-process.js';
import { waitFor } from '../../test/support/wait-for.js';

/** How often the watch asks the emulator child for what it stored. The times are the child's: polling does not add to them. */
const POLL_MS = 50;

/**
 * Times expected values into an emulator running in its own process (emulator-child.ts): each
 * `expect(sub, givenName, sentAt)` is settled by the first time the emulator stored that user
 * with that given_name, and its latency (ms from `sentAt`, a performance.now() time of this
 * process) is recorded. The child notes each store synchronously, right after the store changed
 * (before the answer goes out), on the shared epoch clock (performance.timeOrigin + now()); this
 * process fetches those notes every 50 ms. The emulator thus shares no event loop with the load
 * generator, and a busy load generator cannot delay the moment a store is noted.
 */
export class ArrivalWatch {
  readonly #emulator: EmulatorProcess;
  readonly #pending = new Map<string, { value: string; sentAt: number }>();
  readonly latencies: number[] = [];
  #next = 0;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;
  #error: Error | null = null;

  private constructor(emulator: EmulatorProcess, from: number) {
    this.#emulator = emulator;
    this.#next = from;
    this.#timer = setInterval(() => void this.#poll(), POLL_MS);
  }

  /** Starts watching what the emulator stores from now on. */
  static async start(emulator: EmulatorProcess): Promise<ArrivalWatch> {
    return new ArrivalWatch(emulator, await emulator.watchArrivals());
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** `sentAt`: performance.now() in this process. */
  expect(sub: string, givenName: string, sentAt: number): void {
    this.#pending.set(sub, { value: givenName, sentAt: performance.timeOrigin + sentAt });
  }

  #poll(): Promise<void> {
    this.#polling ??= (async () => {
      try {
        const arrivals = await this.#emulator.arrivals(this.#next);
        this.#next += arrivals.length;
        for (const [sub, givenName, at] of arrivals) {
          const e = this.#pending.get(sub);
          if (!e || givenName !== e.value) continue;
          this.latencies.push(at - e.sentAt);
          this.#pending.delete(sub);
        }
      } catch (err) {
        this.#error ??= err instanceof Error ? err : new Error(String(err));
      }
    })().finally(() => { this.#polling = null; });
    return this.#polling;
  }

  /** Resolves once every expected value arrived; rejects after `timeoutMs` with how many did not. */
  async drained(timeoutMs: number): Promise<void> {
    await waitFor(() => {
      if (this.#error) throw this.#error;
      return this.#pending.size === 0;
    }, { timeoutMs, message: () => `${this.#pending.size} updates to reach the emulator` });
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
