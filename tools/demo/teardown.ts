/** One thing the demo started, and how to undo it. */
interface Resource {
  readonly name: string;
  /** Clean stop (and delete). */
  readonly close: () => Promise<void>;
  /** Last resort in an exit handler: synchronous only (a signal, an rmSync). */
  readonly killNow?: () => void;
}

/**
 * Everything the demo started, undone in reverse order: the sidecar before the emulator
 * and the database it talks to, the database before its temp dir. {@link run} is the
 * normal way out (also after Ctrl-C); {@link killNow} is for a process that exits
 * before it could run.
 */
export class Teardown {
  readonly #resources: Resource[] = [];
  /** The resource {@link run} is closing right now. */
  #current: Resource | undefined;
  #running: Promise<string[]> | undefined;

  /** Records a resource; it is undone before the ones recorded earlier. */
  add(name: string, close: () => Promise<void>, killNow?: () => void): void {
    this.#resources.push({ name, close, ...(killNow ? { killNow } : {}) });
  }

  /** Undoes every resource, last first; resolves with a message per failure (empty when all went well). */
  run(): Promise<string[]> {
    this.#running ??= (async () => {
      const failures: string[] = [];
      for (let r = this.#resources.pop(); r; r = this.#resources.pop()) {
        this.#current = r;
        try {
          await r.close();
        } catch (err) {
          failures.push(`${r.name}: ${err instanceof Error ? err.message : String(err)}`);
          r.killNow?.();
        }
      }
      this.#current = undefined;
      return failures;
    })();
    return this.#running;
  }

  /** Synchronously kills and deletes what is left (exit handlers, a second Ctrl-C). */
  killNow(): void {
    const current = this.#current;
    this.#current = undefined;
    if (current) this.#resources.push(current);
    for (let r = this.#resources.pop(); r; r = this.#resources.pop()) {
      try {
        r.killNow?.();
      } catch {
        // Best effort: the process is on its way out.
      }
    }
  }

  /** True while something is still to be undone. */
  get pending(): boolean {
    return this.#resources.length > 0 || this.#current !== undefined;
  }
}
