import pg from 'pg';
import { PostgresSource } from '../../../adapters/postgres/postgres-source.js';
import type { PostgresSourceOptions } from '../../../adapters/postgres/postgres-source.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Secret } from '../../../src/secret.js';
import type { RowChange, SourceHandler } from '../../../src/source.js';
import { createPostgresDatabase, uniqueName } from '../../support/servers.js';
import type { PostgresTestDatabase } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';

/** One handler call as the recording handler saw it. */
export type Recorded =
  | { readonly kind: 'begin'; readonly id: string }
  | { readonly kind: 'change'; readonly change: RowChange }
  | { readonly kind: 'truncate'; readonly tables: readonly string[] }
  | { readonly kind: 'commit'; readonly position: string; readonly commitTime: Date | null }
  | { readonly kind: 'abort' }
  | { readonly kind: 'idle'; readonly position: string };

/** A delivered transaction: its changes (and truncates) and its commit position. */
export interface DeliveredTx {
  readonly id: string;
  readonly changes: RowChange[];
  readonly truncates: (readonly string[])[];
  readonly position: string;
}

/**
 * A SourceHandler that records every call. `hold` may return a promise that keeps a call from
 * returning (the engine being full); `acknowledgeIdle` makes it acknowledge idle positions as the
 * engine does with nothing pending. Counts calls that overlap, which must never happen.
 */
export class RecordingHandler implements SourceHandler {
  readonly events: Recorded[] = [];
  overlaps = 0;
  hold: ((event: Recorded) => Promise<void> | undefined) | undefined;
  acknowledgeIdle: PostgresSource | undefined;
  #running = false;

  async begin(tx: { readonly id: string }): Promise<void> { await this.#record({ kind: 'begin', id: tx.id }); }
  async change(change: RowChange): Promise<void> { await this.#record({ kind: 'change', change }); }
  async truncate(change: { readonly tables: readonly string[] }): Promise<void> { await this.#record({ kind: 'truncate', tables: change.tables }); }
  async commit(tx: { readonly position: string; readonly commitTime: Date | null }): Promise<void> {
    await this.#record({ kind: 'commit', position: tx.position, commitTime: tx.commitTime });
  }
  async abort(): Promise<void> { await this.#record({ kind: 'abort' }); }
  async idle(position: string): Promise<void> { await this.#record({ kind: 'idle', position }); }

  /** Committed transactions in delivery order; a transaction cut off by abort() is not one. */
  transactions(): DeliveredTx[] {
    const out: DeliveredTx[] = [];
    let open: { id: string; changes: RowChange[]; truncates: (readonly string[])[] } | null = null;
    for (const e of this.events) {
      if (e.kind === 'begin') open = { id: e.id, changes: [], truncates: [] };
      else if (e.kind === 'change') open?.changes.push(e.change);
      else if (e.kind === 'truncate') open?.truncates.push(e.tables);
      else if (e.kind === 'abort') open = null;
      else if (e.kind === 'commit' && open) {
        out.push({ ...open, position: e.position });
        open = null;
      }
    }
    return out;
  }

  commits(): string[] {
    return this.events.flatMap((e) => (e.kind === 'commit' ? [e.position] : []));
  }

  idles(): string[] {
    return this.events.flatMap((e) => (e.kind === 'idle' ? [e.position] : []));
  }

  /** The kinds of the calls, in order: `begin change commit ...`. */
  kinds(): string {
    return this.events.map((e) => e.kind).join(' ');
  }

  async #record(event: Recorded): Promise<void> {
    if (this.#running) this.overlaps += 1;
    this.#running = true;
    try {
      this.events.push(event);
      await this.hold?.(event);
      if (event.kind === 'idle' && this.acknowledgeIdle) await this.acknowledgeIdle.acknowledge(event.position);
    } finally {
      this.#running = false;
    }
  }
}

/** A promise with its resolve function, to hold a handler call until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * The schema every PostgreSQL source test uses: `users` (REPLICA IDENTITY DEFAULT) and `passwords`
 * (FULL) are configured; `sessions` is in the publication but not configured; `audit` is in neither.
 */
export const SCHEMA = [
  'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text, bio text)',
  'CREATE TABLE passwords (user_id int PRIMARY KEY, hash text NOT NULL)',
  'ALTER TABLE passwords REPLICA IDENTITY FULL',
  'CREATE TABLE sessions (id serial PRIMARY KEY, user_id int)',
  'CREATE TABLE audit (id serial PRIMARY KEY, note text)',
];

export const CONFIGURED_TABLES = ['public.users', 'public.passwords'];

/** A test database with the schema, an admin connection, and sources that are stopped after each test. */
export class PostgresSourceFixture {
  readonly #sources: PostgresSource[] = [];
  readonly #slots: string[] = [];

  private constructor(
    readonly db: PostgresTestDatabase,
    /** Superuser connections to the test database; survives a server restart. */
    readonly admin: pg.Pool,
    /** A publication of users, passwords and sessions. */
    readonly publication: string,
  ) {}

  static async create(prefix: string): Promise<PostgresSourceFixture> {
    const db = await createPostgresDatabase(prefix);
    const admin = new pg.Pool({ connectionString: db.url, max: 3 });
    admin.on('error', () => undefined); // an idle connection cut by a server restart
    for (const statement of SCHEMA) await admin.query(statement);
    const publication = uniqueName('pub');
    await admin.query(`CREATE PUBLICATION ${publication} FOR TABLE users, passwords, sessions`);
    return new PostgresSourceFixture(db, admin, publication);
  }

  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.admin.query<R>(text, params);
  }

  /** A new slot name, dropped by {@link cleanUp}. */
  slotName(): string {
    const slot = uniqueName('slot');
    this.#slots.push(slot);
    return slot;
  }

  /** A source on `slot` (a new one by default), stopped by {@link cleanUp}. */
  source(options: Partial<Omit<PostgresSourceOptions, 'url'>> & { url?: string } = {}): PostgresSource {
    const { url, ...rest } = options;
    const source = new PostgresSource({
      url: new Secret(url ?? this.db.url),
      slot: rest.slot ?? this.slotName(),
      publication: this.publication,
      tables: CONFIGURED_TABLES,
      logger: silentLogger,
      statusIntervalMs: 200,
      reconnectMinMs: 50,
      reconnectMaxMs: 500,
      ...rest,
    });
    this.#sources.push(source);
    return source;
  }

  /** The slot's `confirmed_flush_lsn`, null when the slot does not exist. */
  async confirmedFlush(slot: string): Promise<string | null> {
    const r = await this.sql<{ l: string | null }>('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return r.rows[0]?.l ?? null;
  }

  /** The pid of the walsender streaming `slot`, null when none. */
  async activePid(slot: string): Promise<number | null> {
    const r = await this.sql<{ pid: number | null }>('SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return r.rows[0]?.pid ?? null;
  }

  /**
   * Resolves once the walsender of `slot` has processed `n` more standby status updates. Counts
   * distinct `reply_time` values: the library encodes its timestamps days off, so they serve only
   * to tell one update from the next.
   */
  async statusUpdates(slot: string, n: number, timeoutMs = 10_000): Promise<void> {
    const seen = new Set<string>();
    let first: string | null | undefined;
    await waitFor(
      async () => {
        const r = await this.sql<{ t: string | null }>(
          'SELECT reply_time::text AS t FROM pg_stat_replication WHERE pid = (SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1)', [slot]);
        const t = r.rows[0]?.t ?? null;
        if (first === undefined) first = t;
        else if (t !== null && t !== first) seen.add(t);
        return seen.size >= n;
      },
      { timeoutMs, intervalMs: 20, message: () => `${n} status updates from slot ${slot}, saw ${seen.size}` },
    );
  }

  async currentWalLsn(): Promise<string> {
    return (await this.sql<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]!.l;
  }

  /** A connection of its own (a second session), closed by the caller. */
  async session(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.db.url });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }

  /** Runs each statement in a transaction of its own. */
  async transactions(...statements: string[]): Promise<void> {
    for (const s of statements) await this.sql(s);
  }

  /** Stops this test's sources and drops its slots. */
  async cleanUp(): Promise<void> {
    for (const s of this.#sources.splice(0)) await s.stop();
    for (const slot of this.#slots.splice(0)) {
      await waitFor(async () => (await this.activePid(slot)) === null, { message: `slot ${slot} to become inactive` });
      await this.sql('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    }
  }

  async close(): Promise<void> {
    await this.cleanUp();
    await this.admin.end();
    await this.db.drop();
  }
}
