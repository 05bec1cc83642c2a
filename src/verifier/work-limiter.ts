/**
 * Bounds the password hashing a verifier does at once: at most `maxConcurrent` checks
 * run, at most `maxQueue` wait, and anything beyond is refused at once (the caller
 * answers 503). A flood of slow hashes therefore costs a bounded amount of CPU and
 * memory, and the service keeps answering everything else.
 */
export class WorkLimiter {
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueue: number,
  ) {}

  /** Checks running now. */
  get running(): number {
    return this.#running;
  }

  /** Checks waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Runs `task` when a slot is free. Returns undefined, without running it, when the
   * queue is full.
   */
  run<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.#running >= this.maxConcurrent && this.#queue.length >= this.maxQueue) return undefined;
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#running++;
        // setImmediate: a task that hashes on this thread starts after pending I/O.
        setImmediate(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              this.#running--;
              this.#queue.shift()?.();
            });
        });
      };
      if (this.#running < this.maxConcurrent) start();
      else this.#queue.push(start);
    });
  }
}
