/**
 * Runs async functions one at a time, in call order. The SQLite store has one connection that
 * every query shares: without this, a read or write issued while a batch's transaction awaits
 * would run inside that transaction (and be rolled back with it).
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    // #tail never rejects (see below), so fn runs after the previous call settled, whatever its outcome.
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
