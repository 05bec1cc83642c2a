/**
 * The lag in the source's own time: for each received transaction its commit position and the
 * commit time the source wrote into the log (pgoutput's BEGIN/COMMIT timestamp, the binlog event
 * header), dropped once the checkpoint passes it. The lag is "now" minus the commit time of the
 * oldest transaction received but not yet checkpointed: how old the oldest change is that a crash
 * now would make us read again. Unlike the time since the change was received, it also counts the
 * time the change spent in the log before it reached us (a slow or stalled reader).
 */
export class CommitClock {
  readonly #positions: string[] = [];
  readonly #times: number[] = [];
  #head = 0;
  #lastCommitMs: number | null = null;
  #lastAdvanceMs: number | null = null;
  #checkpoint: string | null = null;

  /**
   * @param compare the source's position order
   * @param capacity at most this many transactions remembered; beyond it the newest entry is
   *   replaced, so the lag may read lower than it is (never higher) after a burst that large.
   */
  constructor(private readonly compare: (a: string, b: string) => number, private readonly capacity = 100_000) {}

  /** A transaction committed at `commitTime` (null when the source gave none) was received. */
  committed(position: string, commitTime: Date | null): void {
    if (commitTime === null) return;
    const ms = commitTime.getTime();
    this.#lastCommitMs = this.#lastCommitMs === null ? ms : Math.max(this.#lastCommitMs, ms);
    if (this.#positions.length - this.#head >= this.capacity) {
      this.#positions[this.#positions.length - 1] = position;
      return;
    }
    this.#positions.push(position);
    this.#times.push(ms);
  }

  /** The checkpoint moved to `position`: every transaction at or before it is stored. */
  checkpointed(position: string, now = Date.now()): void {
    if (this.#checkpoint !== position) {
      this.#checkpoint = position;
      this.#lastAdvanceMs = now;
    }
    while (this.#head < this.#positions.length && this.compare(this.#positions[this.#head]!, position) <= 0) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#positions.length) {
      this.#positions.splice(0, this.#head);
      this.#times.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Seconds from the commit of the oldest change not yet checkpointed to now; 0 when there is none. */
  lagSeconds(now = Date.now()): number {
    return this.#head < this.#times.length ? Math.max(0, (now - this.#times[this.#head]!) / 1000) : 0;
  }

  /** When the checkpoint last moved (ms since the epoch), or null before the first time. */
  get lastAdvanceMs(): number | null { return this.#lastAdvanceMs; }

  /** The source's commit time of the newest transaction received (ms since the epoch), or null. */
  get lastCommitMs(): number | null { return this.#lastCommitMs; }
}
