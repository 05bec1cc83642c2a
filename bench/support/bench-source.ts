import type { ShopDb } from '../../test/support/shop-schema.js';
import { startBenchMariaDb } from './bench-mariadb.js';
import { startMysqlBenchSidecar, type MysqlBenchSidecar } from './bench-mysql-sidecar.js';
import { startBenchDatabase } from './bench-postgres.js';
import { startBenchSidecar, type BenchSidecar } from './bench-sidecar.js';
import { referenceBackfill, type ReferenceResult } from './reference-backfill.js';
import { steadyUpdates, type SentUpdate, type SteadyRun } from './steady-updates.js';

/** The databases a bench runs on. */
export type BenchKind = 'postgres' | 'mysql';

/** The prefix of a bench's name per database, as the JSON output names them (`pg.backfill`, `mysql.backfill`). */
export const BENCH_PREFIX: Readonly<Record<BenchKind, string>> = { postgres: 'pg', mysql: 'mysql' };

/** A sidecar process on either database (what the benches read from it; see bench-sidecar.ts). */
export type SourceSidecar = MysqlBenchSidecar;

/** How a bench sidecar is tuned (see bench-sidecar.ts). */
export interface SourceSidecarOptions {
  readonly emulatorUrl: string;
  readonly concurrency?: number;
  readonly engine?: Record<string, number>;
  /** Merged into `cidaas:` (e.g. maxCallsPerSecond). */
  readonly cidaas?: Record<string, number>;
  /** Reuse the state store (and the slot) of an earlier sidecar of this source. */
  readonly resume?: SourceSidecar;
}

/**
 * A throwaway database with the shop schema, on its own server, and the database-specific parts of
 * a bench around it: the sidecar, the bare reference backfill and the steady load generator. The
 * benches that exist for both databases take one of these instead of being written twice.
 */
export interface BenchSource {
  readonly kind: BenchKind;
  /** Superuser URL of the database. */
  readonly url: string;
  readonly db: ShopDb;
  /** Refreshes the planner statistics of the shop tables (after seeding). */
  analyze(): Promise<void>;
  startSidecar(o: SourceSidecarOptions): Promise<SourceSidecar>;
  /** The bare reference of the backfill bench (see reference-backfill.ts). */
  referenceBackfill(o: { emulatorUrl: string; concurrency: number; batchSize: number }): Promise<ReferenceResult>;
  /** Steady single-row updates (see steady-updates.ts). */
  steadyUpdates(o: { ids: readonly number[]; perSecond: number; seconds: number; tag: string; onSend: (u: SentUpdate) => void }): Promise<SteadyRun>;
  /** Stops the server (its data dir is deleted). */
  close(): Promise<void>;
}

async function postgresSource(prefix: string): Promise<BenchSource> {
  const database = await startBenchDatabase(prefix);
  // The sidecars this source started, to resume one with its slot.
  const sidecars = new Map<SourceSidecar, BenchSidecar>();
  return {
    kind: 'postgres', url: database.url, db: database.db,
    analyze: async () => { await database.db.query('ANALYZE'); },
    async startSidecar(o) {
      const resume = o.resume ? sidecars.get(o.resume) : undefined;
      if (o.resume && !resume) throw new Error('resume: a sidecar of another bench source');
      const sidecar = await startBenchSidecar({ database, emulatorUrl: o.emulatorUrl, ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        ...(o.engine ? { engine: o.engine } : {}), ...(o.cidaas ? { cidaas: o.cidaas } : {}), ...(resume ? { resume } : {}) });
      sidecars.set(sidecar, sidecar);
      return sidecar;
    },
    referenceBackfill: (o) => referenceBackfill('postgres', { url: database.url, ...o }),
    steadyUpdates: (o) => steadyUpdates('postgres', { url: database.url, ...o }),
    close: () => database.close(),
  };
}

async function mysqlSource(prefix: string): Promise<BenchSource> {
  const database = await startBenchMariaDb(prefix);
  return {
    kind: 'mysql', url: database.url, db: database.db,
    analyze: async () => { await database.db.query('ANALYZE TABLE users, credentials, totp_devices'); },
    startSidecar: (o) => startMysqlBenchSidecar({ database, ...o }),
    referenceBackfill: (o) => referenceBackfill('mysql', { url: database.url, ...o }),
    steadyUpdates: (o) => steadyUpdates('mysql', { url: database.url, ...o }),
    close: () => database.close(),
  };
}

/** Starts a server of `kind` with a shop database named after `prefix`. */
export function startBenchSource(kind: BenchKind, prefix: string): Promise<BenchSource> {
  return kind === 'postgres' ? postgresSource(prefix) : mysqlSource(prefix);
}
