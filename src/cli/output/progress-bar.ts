import { Presets, SingleBar } from 'cli-progress';

/** How a {@link ProgressBar} looks. */
export interface ProgressBarOptions {
  /** The word before the bar: `backfill`, `verify`. */
  readonly label: string;
  /** Show users per second (the backfill); verify shows none. */
  readonly rate?: boolean;
  /** Written before the label (the demo indents its steps). */
  readonly indent?: string;
  /** Width of the bar in characters (cli-progress's default: 40). */
  readonly barsize?: number;
  /** The demo's shaded bar instead of cli-progress's plain one. */
  readonly shaded?: boolean;
  /** The smallest total shown (the demo shows at least 1, so an empty walk is 100 %). */
  readonly minTotal?: number;
  /** How the rate is printed (default: rounded). */
  readonly formatRate?: (usersPerSecond: number) => string | number;
}

/** Where a bar is drawn. */
export interface ProgressOutput {
  readonly stream: NodeJS.WritableStream;
  /** Only a terminal gets a bar. */
  readonly isTTY: boolean;
}

/**
 * A progress bar of users done out of a total on a terminal (stderr unless told), started on the
 * first update. The total may be unknown or an estimate: it grows to what is done.
 */
export class ProgressBar {
  readonly #bar: SingleBar;
  readonly #o: ProgressBarOptions;
  #started = false;

  private constructor(bar: SingleBar, o: ProgressBarOptions) {
    this.#bar = bar;
    this.#o = o;
  }

  /** A bar on `out` when `enabled` and `out` is a terminal, else null (logs, CI, `--no-progress`). */
  static open(enabled: boolean, o: ProgressBarOptions, out: ProgressOutput = { stream: process.stderr, isTTY: process.stderr.isTTY }): ProgressBar | null {
    if (!enabled || !out.isTTY) return null;
    const stream = out.stream;
    const format = `${o.indent ?? ''}${o.label} |{bar}| {percentage}% {value}/{total} users${o.rate ? ' | {rate} users/s' : ''} | ETA {eta_formatted}`;
    const bar = new SingleBar({ format, stream: stream as NodeJS.WriteStream, hideCursor: true, ...(o.barsize ? { barsize: o.barsize } : {}) },
      o.shaded ? Presets.shades_classic : undefined);
    return new ProgressBar(bar, o);
  }

  /** `done` users of `total` (null: unknown), at `usersPerSecond` when the bar shows a rate. */
  update(done: number, total: number | null, usersPerSecond = 0): void {
    const shown = Math.max(total ?? done, done, this.#o.minTotal ?? 0);
    const payload = this.#o.rate ? { rate: this.#o.formatRate ? this.#o.formatRate(usersPerSecond) : Math.round(usersPerSecond) } : undefined;
    if (!this.#started) {
      if (payload) this.#bar.start(shown, done, { rate: 0 });
      else this.#bar.start(shown, done);
      this.#started = true;
    }
    this.#bar.setTotal(shown);
    if (payload) this.#bar.update(done, payload);
    else this.#bar.update(done);
  }

  /** Ends the bar (the terminal gets its line back); nothing when it never started. */
  stop(): void {
    if (this.#started) this.#bar.stop();
    this.#started = false;
  }
}
