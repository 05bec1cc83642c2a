import type { RowChange, SourceHandler, TruncateChange } from '../../../src/source.js';
import { waitFor } from '../../support/wait-for.js';

/** One call the source made, in order. */
export type Recorded =
  | { readonly call: 'begin'; readonly id: string }
  | { readonly call: 'change'; readonly change: RowChange }
  | { readonly call: 'truncate'; readonly change: TruncateChange }
  | { readonly call: 'commit'; readonly position: string; readonly commitTime: Date | null }
  | { readonly call: 'abort' }
  | { readonly call: 'idle'; readonly position: string };

/** A delivered transaction: its changes and truncates, and the position its commit carried. */
export interface RecordedTransaction {
  readonly id: string;
  readonly changes: RowChange[];
  readonly truncates: TruncateChange[];
  readonly position: string;
}

/**
 * A {@link SourceHandler} that records every call and can hold calls back (a closed gate makes
 * every call wait), to play a slow or full engine.
 */
export class RecordingHandler implements SourceHandler {
  readonly calls: Recorded[] = [];
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  /** Number of calls waiting at the closed gate. */
  waiting = 0;

  /** Makes every following call wait until {@link release}. */
  hold(): void {
    if (this.#gate) return;
    this.#gate = new Promise((resolve) => { this.#open = resolve; });
  }

  release(): void {
    this.#open?.();
    this.#gate = null;
    this.#open = null;
  }

  /** Closes the gate at the first call that matches `when` (that call waits too). */
  holdAt(when: (r: Recorded) => boolean): void {
    this.#holdAt = when;
  }

  #holdAt: ((r: Recorded) => boolean) | null = null;

  async #record(r: Recorded): Promise<void> {
    if (this.#holdAt?.(r)) {
      this.#holdAt = null;
      this.hold();
    }
    while (this.#gate) {
      this.waiting++;
      await this.#gate;
      this.waiting--;
    }
    this.calls.push(r);
  }

  begin(tx: { readonly id: string }): Promise<void> { return this.#record({ call: 'begin', id: tx.id }); }
  change(change: RowChange): Promise<void> { return this.#record({ call: 'change', change }); }
  truncate(change: TruncateChange): Promise<void> { return this.#record({ call: 'truncate', change }); }
  commit(tx: { readonly position: string; readonly commitTime: Date | null }): Promise<void> {
    return this.#record({ call: 'commit', position: tx.position, commitTime: tx.commitTime });
  }
  abort(): Promise<void> { return this.#record({ call: 'abort' }); }
  idle(position: string): Promise<void> { return this.#record({ call: 'idle', position }); }

  /**
   * The committed transactions so far. A transaction aborted before its commit is dropped, as the
   * engine drops it: the source delivers it again from its begin.
   */
  transactions(): RecordedTransaction[] {
    const out: RecordedTransaction[] = [];
    let open: { id: string; changes: RowChange[]; truncates: TruncateChange[] } | null = null;
    for (const c of this.calls) {
      if (c.call === 'begin') open = { id: c.id, changes: [], truncates: [] };
      else if (c.call === 'change') open?.changes.push(c.change);
      else if (c.call === 'truncate') open?.truncates.push(c.change);
      else if (c.call === 'abort') open = null;
      else if (c.call === 'commit' && open) {
        out.push({ ...open, position: c.position });
        open = null;
      }
    }
    return out;
  }

  /** All changes of committed transactions, in order. */
  changes(): RowChange[] {
    return this.transactions().flatMap((t) => t.changes);
  }

  /** Positions of `commit` and `idle` calls, in order. */
  positions(): string[] {
    return this.calls.flatMap((c) => (c.call === 'commit' || c.call === 'idle' ? [c.position] : []));
  }

  /** Waits until `count` transactions are committed. */
  async waitForTransactions(count: number, timeoutMs = 10_000): Promise<RecordedTransaction[]> {
    await waitFor(() => this.transactions().length >= count, {
      timeoutMs, message: () => `${count} transactions (have ${this.transactions().length}: ${JSON.stringify(this.calls.map((c) => c.call))})`,
    });
    return this.transactions();
  }
}
