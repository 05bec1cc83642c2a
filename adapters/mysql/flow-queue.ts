/** What a {@link FlowQueue} calls: the consumer, and the producer's brake. */
export interface FlowQueueHooks<T> {
  /** Handles one item; the next waits until it resolves. A rejection stops the queue and goes to {@link onError}. */
  consume(item: T, caughtUp: boolean): Promise<void>;
  /** The queue is full: stop the producer. */
  pause(): void;
  /** The queue has drained to half: let the producer go on. */
  resume(): void;
  onError(err: Error): void;
}

/**
 * The bounded queue between a push-only producer (zongji emits events as the socket delivers them)
 * and an async consumer (the engine's handler). Items are consumed one at a time, in order; when
 * `max` items wait the producer is paused, and resumed once half of them are consumed. This is the
 * binlog adapter's backpressure: memory stays bounded however slow the handler is.
 */
export class FlowQueue<T> {
  readonly #max: number;
  readonly #hooks: FlowQueueHooks<T>;
  #items: T[] = [];
  #running = false;
  #paused = false;
  #closed = false;

  constructor(max: number, hooks: FlowQueueHooks<T>) {
    this.#max = max;
    this.#hooks = hooks;
  }

  get length(): number { return this.#items.length; }
  get paused(): boolean { return this.#paused; }

  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    // Also when already paused: something else (zongji after a metadata lookup) may have resumed
    // the producer behind our back.
    if (this.#items.length >= this.#max) {
      this.#paused = true;
      this.#hooks.pause();
    }
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
  }

  /** Drops the waiting items that match `drop`, and forgets the pause (the producer it applied to is gone). */
  discard(drop: (item: T) => boolean): void {
    this.#items = this.#items.filter((i) => !drop(i));
    this.#paused = false;
  }

  /** Accepts items again after {@link close}. */
  open(): void {
    this.#closed = false;
    this.#paused = false;
  }

  /** Drops everything and consumes nothing more. */
  close(): void {
    this.#closed = true;
    this.#items = [];
  }

  async #run(): Promise<void> {
    try {
      for (let item = this.#items.shift(); item !== undefined && !this.#closed; item = this.#items.shift()) {
        await this.#hooks.consume(item, this.#items.length === 0);
        if (this.#paused && this.#items.length <= this.#max / 2) {
          this.#paused = false;
          this.#hooks.resume();
        }
      }
    } catch (err) {
      this.close();
      this.#hooks.onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#running = false;
    }
  }
}
