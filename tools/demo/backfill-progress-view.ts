import { ProgressBar } from '../../src/cli/output/progress-bar.js';
import type { BackfillTick } from '../../src/backfill.js';
import { count, type DemoOutput } from './demo-output.js';

/**
 * Shows the backfill's progress: a bar with rate and ETA on a terminal (cli-progress),
 * a plain line at every tenth otherwise (logs, CI, a test reading the output).
 */
export class BackfillProgressView {
  readonly #out: DemoOutput;
  readonly #bar: ProgressBar | null;
  #lastTenth = 0;
  #last: BackfillTick | null = null;

  constructor(out: DemoOutput, allowBar: boolean) {
    this.#out = out;
    this.#bar = ProgressBar.open(allowBar, { label: 'backfill', rate: true, indent: '      ', barsize: 30, shaded: true, minTotal: 1, formatRate: count }, out);
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
      this.#bar.update(t.done, t.total, t.usersPerSecond);
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
    this.#bar?.stop();
  }
}
