import type { Logger } from '../src/observability/logger.js';

/** `source.heartbeat` as a source adapter takes it. */
export interface HeartbeatOptions {
  /** The heartbeat table, qualified as the configuration names tables (`public.cidaas_sync_heartbeat`, `shop.cidaas_sync_heartbeat`). */
  readonly table: string;
  /** Time between two writes. */
  readonly intervalMs: number;
}

/** What a {@link HeartbeatWriter} runs: the database-specific parts. */
export interface HeartbeatWriterHooks {
  /** Writes the heartbeat row once (an upsert of row 1). */
  write(): Promise<void>;
  /** What the operator should run to make a write that failed with `err` work (the CREATE TABLE or the GRANT). */
  fix(err: unknown): Promise<string>;
  /** Closes whatever connection `write` opened. */
  close(): Promise<void>;
}

/**
 * Writes a tiny change to the heartbeat table on a timer, so that a source whose own activity does
 * not move our position (docs/architecture.md "Heartbeat") still gives idle positions to checkpoint. A failed
 * write never stops the stream: the first failure logs a warning with its fix, later ones only at
 * debug level, and the first write that works again says so. Writes never overlap: a beat that
 * finds the previous write still running is skipped.
 */
export class HeartbeatWriter {
  readonly #o: HeartbeatOptions;
  readonly #hooks: HeartbeatWriterHooks;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;
  #failing = false;
  #beats = 0;

  constructor(options: HeartbeatOptions, hooks: HeartbeatWriterHooks, logger: Logger) {
    this.#o = options;
    this.#hooks = hooks;
    this.#log = logger;
  }

  /** Heartbeat rows written so far. */
  get beats(): number {
    return this.#beats;
  }

  /** Writes one heartbeat now and then every interval, until {@link stop}. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#beat(), this.#o.intervalMs);
    this.#timer.unref();
    this.#beat();
  }

  /** Stops the timer, waits for a write in flight, and closes the connection. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#writing;
    await this.#hooks.close().catch(() => undefined);
  }

  #beat(): void {
    if (this.#writing || !this.#timer) return;
    this.#writing = this.#hooks.write().then(
      () => {
        this.#beats++;
        if (this.#failing) this.#log.info('heartbeat writes work again', { table: this.#o.table });
        this.#failing = false;
      },
      async (err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        if (this.#failing) {
          this.#log.debug('heartbeat write failed again', { table: this.#o.table, error });
          return;
        }
        this.#failing = true;
        const fix = await this.#hooks.fix(err).catch(() => '');
        this.#log.warn('heartbeat write failed: an idle source may not move its position until it works; streaming goes on', {
          table: this.#o.table, error, fix,
        });
      },
    ).finally(() => {
      this.#writing = null;
    });
  }
}
