/**
 * How many stream batches may be taken and read from the legacy database ahead of their cidaas
 * calls: those being read and those read but waiting for a governor slot. Reads of the next
 * batches then overlap the calls in flight, while the users held in memory stay bounded (at most
 * `limit` batches beyond the governor's) and a slow cidaas still holds the engine back: users not
 * taken stay dirty, and a full engine pauses the source.
 */
export class ReadAhead {
  readonly #limit: number;
  #count = 0;
  #waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Batches read ahead now. */
  get count(): number { return this.#count; }

  /** Waits for room for one more batch; false (and no room taken) once `signal` is aborted. */
  async enter(signal: { readonly aborted: boolean }): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (this.#count < this.#limit) {
        this.#count++;
        return true;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** A batch entered has its governor slot, or needs none, or was given up. */
  leave(): void {
    this.#count = Math.max(0, this.#count - 1);
    this.wakeAll();
  }

  /** Wakes every waiter (after `leave`, and for shutdown). */
  wakeAll(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }
}
