/**
 * The reconnect delay of a log reader: starts at `minMs`, doubles after every failed attempt up to
 * `maxMs`, and is back at `minMs` once a session streams again. Each delay is jittered into its
 * upper half, so that replicas cut off by one server restart do not reconnect in lockstep.
 */
export class ReconnectBackoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  #delay: number;

  /** Bounds default to 500 ms .. 30 s. */
  constructor(minMs = 500, maxMs = 30_000) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
    this.#delay = minMs;
  }

  /** The delay before the next attempt: `delayMs` nominal (for logs), `waitMs` jittered (for the timer). The next failure doubles it. */
  next(): { readonly delayMs: number; readonly waitMs: number } {
    const delay = this.#delay;
    this.#delay = Math.min(delay * 2, this.#maxMs);
    return { delayMs: delay, waitMs: jitter(delay) };
  }

  /** A session streams: the next failure waits the minimum again. */
  reset(): void {
    this.#delay = this.#minMs;
  }
}

function jitter(ms: number): number {
  return Math.round(ms / 2 + Math.random() * (ms / 2));
}
