/**
 * A {@link Source} that delivers synthetic transactions instead of reading a database log, behind
 * the same interface the engine uses for PostgreSQL and MySQL (STYLE.md topic 2). For benchmarks
 * that must not depend on a database server: the engine's memory with many dirty users, the cost
 * of translating and marking, the checkpoint protocol.
 *
 * Positions are the 1-based number of the transaction whose commit they follow, as decimal
 * strings; position "0" is before the first transaction.
 */
import type { RowChange, Source, SourceHandler, SourceLag } from '../src/source.js';

/** One synthetic transaction: its row changes, delivered between begin() and commit(). */
export interface FakeTransaction {
  readonly changes: readonly RowChange[];
}

/** What the fake log holds. */
export interface FakeSourceOptions {
  /**
   * The transactions in commit order. Pulled one at a time while delivering, so a generator can
   * describe millions of changes without holding them.
   */
  readonly transactions: Iterable<FakeTransaction>;
  /** A short name for logs; default `fake`. */
  readonly kind?: string;
}

function positionOf(seq: number): string {
  return String(seq);
}

function seqOf(position: string): number {
  const n = Number(position);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a fake source position: ${position}`);
  return n;
}

export class FakeSource implements Source {
  readonly kind: string;
  readonly #transactions: Iterable<FakeTransaction>;
  #delivered = 0;
  #acknowledged = 0;
  #running = false;
  #stopped = false;
  #done!: () => void;
  #failed!: (err: Error) => void;
  /** Resolves once every transaction has been delivered (each commit() returned) and idle() was called at the end. */
  readonly finished: Promise<void>;

  constructor(options: FakeSourceOptions) {
    this.kind = options.kind ?? 'fake';
    this.#transactions = options.transactions;
    this.finished = new Promise<void>((resolve, reject) => {
      this.#done = resolve;
      this.#failed = reject;
    });
    this.finished.catch(() => undefined);
  }

  /** Transactions delivered so far. */
  get delivered(): number {
    return this.#delivered;
  }

  /** The highest position acknowledged so far ("0" before any). */
  get acknowledged(): string {
    return positionOf(this.#acknowledged);
  }

  async prepare(): Promise<void> {
    // Nothing to connect to.
  }

  async currentPosition(): Promise<string> {
    return positionOf(this.#delivered);
  }

  async start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void> {
    if (this.#running) throw new Error('FakeSource.start() while already delivering');
    this.#running = true;
    const skip = from === null ? this.#acknowledged : seqOf(from);
    // Delivery runs on its own, as a real log's would; start() resolves once streaming runs.
    void this.#deliver(skip, handler).catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      this.#failed(e);
      onError(e);
    });
  }

  async #deliver(skip: number, handler: SourceHandler): Promise<void> {
    let seq = 0;
    for (const tx of this.#transactions) {
      if (this.#stopped) return;
      seq += 1;
      if (seq <= skip) continue;
      await handler.begin({ id: `fake-${seq}` });
      for (const change of tx.changes) await handler.change(change);
      await handler.commit({ position: positionOf(seq), commitTime: new Date() });
      this.#delivered = seq;
    }
    if (this.#stopped) return;
    await handler.idle(positionOf(seq));
    this.#done();
  }

  async acknowledge(position: string): Promise<void> {
    this.#acknowledged = Math.max(this.#acknowledged, seqOf(position));
  }

  comparePositions(a: string, b: string): number {
    return seqOf(a) - seqOf(b);
  }

  async lag(): Promise<SourceLag> {
    return { bytes: null, retainedBytes: null };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#running = false;
  }
}

/** What {@link syntheticUserUpdates} makes. */
export interface SyntheticUpdates {
  /** Users changed, keys 1..users (after `firstKey`). */
  readonly users: number;
  /** Row changes per transaction. */
  readonly perTransaction: number;
  /** The table as the configuration names it; default `public.users`. */
  readonly table?: string;
  /** The first key is firstKey + 1; default 0. */
  readonly firstKey?: number;
}

/**
 * Updates of shop-schema `users` rows (test/support/shop-schema.ts), one per user, in transactions
 * of `perTransaction`: new row images with every column, no old image (REPLICA IDENTITY DEFAULT),
 * as PostgreSQL logs them; values as node-postgres decodes them (ids as strings, dates as Dates).
 */
export function* syntheticUserUpdates(o: SyntheticUpdates): Generator<FakeTransaction> {
  const table = o.table ?? 'public.users';
  const first = o.firstKey ?? 0;
  for (let from = 0; from < o.users; from += o.perTransaction) {
    const changes: RowChange[] = [];
    for (let k = from; k < Math.min(o.users, from + o.perTransaction); k++) {
      const id = first + k + 1;
      changes.push({
        table,
        op: 'update',
        before: null,
        after: {
          id: String(id),
          email: `user.${id}@example.com`,
          email_confirmed: id % 5 !== 0,
          first_name: `First${id % 97}`,
          last_name: `Last${id % 89}`,
          phone: id % 7 === 0 ? null : `+49151${String(id).padStart(8, '0')}`,
          login: `login_${id}`,
          customer_number: `C-${String(id).padStart(7, '0')}`,
          deleted_at: null,
          last_login_at: new Date(1_700_000_000_000 + id * 1000),
          created_at: new Date(1_500_000_000_000 + id * 60_000),
        },
        keyColumns: ['id'],
      });
    }
    yield { changes };
  }
}
