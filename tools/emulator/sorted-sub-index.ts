/**
 * The subs of the store in sort order, kept lazily: new subs wait in a pending list
 * and are merged in (sort the few, merge with the many) the next time an ordered view
 * is asked for, so a stream of creates costs nothing until someone lists or searches.
 */
export class SortedSubIndex {
  #sorted: string[] = [];
  #pending: string[] = [];
  #removals = 0;

  /** `has` tells whether a sub is still stored; removed subs are dropped at the next merge. */
  constructor(private readonly has: (sub: string) => boolean) {}

  /** Records a sub that was not stored before. */
  added(sub: string): void {
    this.#pending.push(sub);
  }

  /** Records that a stored sub was removed. */
  removed(): void {
    this.#removals++;
  }

  /** Forgets everything. */
  clear(): void {
    this.#sorted = [];
    this.#pending = [];
    this.#removals = 0;
  }

  /** All stored subs in ascending UTF-16 code unit order (the order `<` gives). */
  view(): readonly string[] {
    if (this.#pending.length === 0 && this.#removals === 0) return this.#sorted;
    const pending = this.#pending.sort();
    const sorted = this.#sorted;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    let last: string | undefined;
    while (i < sorted.length || j < pending.length) {
      const a = sorted[i];
      const b = pending[j];
      let next: string;
      if (b === undefined || (a !== undefined && a <= b)) {
        next = a!;
        i++;
      } else {
        next = b;
        j++;
      }
      // A sub removed and added again is in both lists; a removed one is in neither map.
      if (next !== last && this.has(next)) out.push(next);
      last = next;
    }
    this.#sorted = out;
    this.#pending = [];
    this.#removals = 0;
    return out;
  }

  /** Index of the first sub greater than `after` in {@link view}. */
  indexAfter(after: string): number {
    const subs = this.view();
    let lo = 0;
    let hi = subs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (subs[mid]! <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
