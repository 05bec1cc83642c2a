import type { RunningEmulator } from '../../tools/emulator/cidaas-emulator.js';
import { UserStore } from '../../tools/emulator/user-store.js';
import { waitFor } from '../../test/support/wait-for.js';

type StoredListener = (sub: string) => void;
const listeners = new Set<StoredListener>();
let hooked = false;

/**
 * Calls `listener` with the sub of every user an emulator in this process stores through the bulk
 * API, synchronously, right after the store changed (before the answer goes out). Bench
 * instrumentation: it wraps UserStore.prototype.upsert once per process.
 */
function onStored(listener: StoredListener): () => void {
  if (!hooked) {
    hooked = true;
    const upsert = UserStore.prototype.upsert;
    UserStore.prototype.upsert = function (this: UserStore, ...args: Parameters<UserStore['upsert']>) {
      const outcome = upsert.apply(this, args);
      if ('status' in outcome && (outcome.status === 'CREATED' || outcome.status === 'UPDATED')) {
        for (const l of listeners) l(outcome.sub);
      }
      return outcome;
    };
  }
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/**
 * Times expected values into an emulator running in this process: each `expect(sub, givenName,
 * sentAt)` is settled the moment the emulator stores that user with that given_name, and its
 * latency (ms from `sentAt`, a performance.now() time) is recorded. Event driven: the cost per
 * stored user is constant however many are pending.
 */
export class ArrivalWatch {
  readonly #emulator: RunningEmulator;
  readonly #pending = new Map<string, { value: string; sentAt: number }>();
  readonly latencies: number[] = [];
  readonly #unhook: () => void;

  constructor(emulator: RunningEmulator) {
    this.#emulator = emulator;
    this.#unhook = onStored((sub) => this.#stored(sub));
  }

  get pending(): number {
    return this.#pending.size;
  }

  expect(sub: string, givenName: string, sentAt: number): void {
    this.#pending.set(sub, { value: givenName, sentAt });
  }

  #stored(sub: string): void {
    const e = this.#pending.get(sub);
    if (!e || this.#emulator.getUser(sub)?.given_name !== e.value) return;
    this.latencies.push(performance.now() - e.sentAt);
    this.#pending.delete(sub);
  }

  /** Resolves once every expected value arrived; rejects after `timeoutMs` with how many did not. */
  async drained(timeoutMs: number): Promise<void> {
    await waitFor(() => this.#pending.size === 0, { timeoutMs, message: () => `${this.#pending.size} updates to reach the emulator` });
  }

  stop(): void {
    this.#unhook();
  }
}
