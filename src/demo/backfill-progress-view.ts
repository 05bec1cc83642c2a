import { Presets, SingleBar } from 'cli-progress';
import type { BackfillTick } from '../backfill.js';
import { count, type DemoOutput } from './demo-output.js';

/**
 * Shows the backfill's progress: a bar with rate and ETA on a terminal (cli-progress),
 * a plain line at every tenth otherwise (logs, CI, a test reading the output).
 */
export class BackfillProgressView {
  readonly #out: DemoOutput;
  readonly #bar: SingleBar | null;
  #barStarted = false;
  #lastTenth = 0;
  #last: BackfillTick | null = null;

  constructor(out: DemoOutput, allowBar: boolean) {
    this.#out = out;
    this.#bar = allowBar && out.isTTY
      ? new SingleBar({
        format: '      backfill |{bar}| {percentage}% {value}/{total} users | {rate} users/s | ETA {eta_formatted}',
        stream: out.stream as NodeJS.WriteStream,
        hideCursor: true,
        barsize: 30,
      }, Presets.shades_classic)
      : null;
  }

  /** The last progress reported. */
  get last(): BackfillTick | null {
    return this.#last;
  }

  /** One progress report from the backfill. */
  tick = (t: BackfillTick): void => {
    this.#last = t;
    const total = Math.max(t.total ?? t.done, t.done, 1);
    if (this.#bar) {
      if (!this.#barStarted) {
        this.#bar.start(total, t.done, { rate: 0 });
        this.#barStarted = true;
      }
      this.#bar.setTotal(total);
      this.#bar.update(t.done, { rate: count(t.usersPerSecond) });
      return;
    }
    const tenth = Math.floor((t.done / total) * 10);
    if (tenth <= this.#lastTenth) return;
    this.#lastTenth = tenth;
    const eta = t.etaSeconds === null ? '' : `, ETA ${Math.ceil(t.etaSeconds)} s`;
    this.#out.line(`      backfill ${String(tenth * 10).padStart(3)}%  ${count(t.done)}/${count(total)} users  ${count(t.usersPerSecond)} users/s${eta}`);
  };

  /** Ends the bar (a terminal gets its line back). */
  stop(): void {
    if (this.#barStarted) this.#bar?.stop();
    this.#barStarted = false;
  }
}
