/** Runs async tasks with at most `max` of them in flight at once; the rest wait in call order. */
export class ConcurrencyLimit {
  readonly #max: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so the count never dips below what is queued.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
