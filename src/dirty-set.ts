/**
 * The engine's dirty users, compact: one Map entry (key to slot number) per user, in insertion
 * order (the order users are taken in), and the user's fields in typed arrays at that slot; the
 * expectations are one packed string per user (see PackedExpectations). A dirty user costs well
 * under 200 bytes, so hundreds of thousands fit next to a small heap.
 */
export class DirtySet {
  readonly #slots = new Map<string, number>();
  /** Per slot: oldestSeq, notBefore, since, lastChange. */
  #times = new Float64Array(4 * 1024);
  #attempts = new Uint32Array(1024);
  /** Per slot: bit 0 force, bit 1 rootDeleted. */
  #flags = new Uint8Array(1024);
  #expectations: (string | undefined)[] = [];
  #free: number[] = [];
  #used = 0;

  get size(): number { return this.#slots.size; }
  has(key: string): boolean { return this.#slots.has(key); }
  /** The slot of `key`, or undefined when it is not dirty. */
  slotOf(key: string): number | undefined { return this.#slots.get(key); }
  /** Every dirty user's key and slot, oldest entry first. */
  entries(): IterableIterator<[string, number]> { return this.#slots.entries(); }
  slots(): IterableIterator<number> { return this.#slots.values(); }

  /** Adds `key` (not dirty yet) at the end of the order and returns its slot. */
  add(key: string, fields: DirtyFields): number {
    const slot = this.#free.pop() ?? this.#grow();
    this.#slots.set(key, slot);
    this.#times[4 * slot] = fields.oldestSeq;
    this.#times[4 * slot + 1] = fields.notBefore;
    this.#times[4 * slot + 2] = fields.since;
    this.#times[4 * slot + 3] = fields.lastChange;
    this.#attempts[slot] = fields.attempts;
    this.#flags[slot] = (fields.force ? 1 : 0) | (fields.rootDeleted ? 2 : 0);
    this.#expectations[slot] = fields.expectations;
    return slot;
  }

  /** Removes `key` and returns what it held, or undefined when it was not dirty. */
  remove(key: string): DirtyFields | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    const fields = this.fields(slot);
    this.#slots.delete(key);
    this.#expectations[slot] = undefined;
    this.#free.push(slot);
    if (this.#slots.size === 0) this.#reset();
    return fields;
  }

  fields(slot: number): DirtyFields {
    const f = this.#flags[slot]!;
    const e = this.#expectations[slot];
    return {
      oldestSeq: this.oldestSeq(slot), notBefore: this.notBefore(slot), since: this.since(slot), lastChange: this.lastChange(slot),
      attempts: this.#attempts[slot]!, force: (f & 1) !== 0, rootDeleted: (f & 2) !== 0, ...(e === undefined ? {} : { expectations: e }),
    };
  }

  oldestSeq(slot: number): number { return this.#times[4 * slot]!; }
  notBefore(slot: number): number { return this.#times[4 * slot + 1]!; }
  since(slot: number): number { return this.#times[4 * slot + 2]!; }
  lastChange(slot: number): number { return this.#times[4 * slot + 3]!; }
  setLastChange(slot: number, at: number): void { this.#times[4 * slot + 3] = at; }
  expectations(slot: number): string | undefined { return this.#expectations[slot]; }
  setExpectations(slot: number, packed: string): void { this.#expectations[slot] = packed; }
  setForce(slot: number): void { this.#flags[slot]! |= 1; }
  setRootDeleted(slot: number): void { this.#flags[slot]! |= 2; }

  #grow(): number {
    const slot = this.#used++;
    if (slot >= this.#attempts.length) {
      const cap = this.#attempts.length * 2;
      const times = new Float64Array(4 * cap);
      times.set(this.#times);
      this.#times = times;
      const attempts = new Uint32Array(cap);
      attempts.set(this.#attempts);
      this.#attempts = attempts;
      const flags = new Uint8Array(cap);
      flags.set(this.#flags);
      this.#flags = flags;
    }
    return slot;
  }

  /** Empty again: the arrays shrink back to their first size (a drained burst gives its memory back). */
  #reset(): void {
    if (this.#attempts.length > 1024) {
      this.#times = new Float64Array(4 * 1024);
      this.#attempts = new Uint32Array(1024);
      this.#flags = new Uint8Array(1024);
    }
    this.#expectations = [];
    this.#free = [];
    this.#used = 0;
  }
}

/** A dirty user's fields as the set holds them (its expectations packed). */
export interface DirtyFields {
  oldestSeq: number;
  notBefore: number;
  since: number;
  lastChange: number;
  attempts: number;
  force: boolean;
  rootDeleted: boolean;
  expectations?: string;
}
