import type { BenchMariaDb } from './bench-mariadb.js';
import { runBenchSidecar, writeBenchConfig, type BenchSidecar } from './bench-sidecar.js';

/** What a MySQL bench sidecar runs against and how it is tuned. */
export interface MysqlBenchSidecarOptions {
  readonly database: BenchMariaDb;
  readonly emulatorUrl: string;
  /** `cidaas.concurrency` (default 4, the config default). */
  readonly concurrency?: number;
  /** Merged into `engine:` (flushIntervalMs, maxDelayMs, maxDirtyUsers). */
  readonly engine?: Record<string, number>;
  /** Merged into `cidaas:` (e.g. maxCallsPerSecond), as for PostgreSQL. */
  readonly cidaas?: Record<string, number>;
  /** Reuse the state store (backfill, checkpoint) of an earlier run. */
  readonly resume?: MysqlBenchSidecar;
}

/**
 * `node bin/cidaas-sync.js run --config FILE` on a MariaDB source as a child process, the way it
 * runs in production: bench-sidecar.ts's process without a slot (the binlog has none).
 */
export type MysqlBenchSidecar = Omit<BenchSidecar, 'slot'>;

let serverIds = 0;

/** Starts a sidecar on the MariaDB bench database, with a server id of its own (or the state store of `resume`). */
export async function startMysqlBenchSidecar(o: MysqlBenchSidecarOptions): Promise<MysqlBenchSidecar> {
  const previous = o.resume;
  serverIds += 1;
  const config = await writeBenchConfig({
    kind: 'mysql',
    sourceUrl: o.database.url,
    emulatorUrl: o.emulatorUrl,
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(previous ? { stateUrl: `sqlite:${previous.config.statePath}` } : {}),
    extra: { source: { serverId: 7000 + serverIds }, engine: { ...(o.engine ?? {}) }, ...(o.cidaas ? { cidaas: o.cidaas } : {}) },
  });
  return runBenchSidecar(config);
}
