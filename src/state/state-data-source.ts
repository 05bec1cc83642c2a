import { DataSource } from 'typeorm';
import type { Logger } from '../observability/logger.js';
import { nodeTlsOptions } from '../security/database-tls.js';
import { stateEntities } from './entities/state-entities.js';
import { TableNames } from './entities/table-names.js';
import { stateMigrations } from './migrations/state-migrations.js';
import type { StateStoreLocation } from './state-store-url.js';
import { TypeormLogBridge } from './typeorm-log-bridge.js';

/** Tuning of the state store connection. */
export interface StateDataSourceOptions {
  logger: Logger;
  /**
   * SQLite: how long one statement waits for another process's lock inside the driver, which
   * blocks the event loop meanwhile; keep it short (see wait-out-sqlite-lock.ts).
   */
  busyTimeoutMs: number;
}

/** Minimal shape of a better-sqlite3 Database, as typeorm's prepareDatabase hands it over. */
interface SqlitePragmas {
  pragma(source: string): unknown;
}

/**
 * Builds the typeorm DataSource for a location. Not connected yet. `synchronize` is off: the
 * schema comes from the migrations only.
 */
export function createStateDataSource(loc: StateStoreLocation, options: StateDataSourceOptions): DataSource {
  const common = {
    entities: stateEntities,
    migrations: stateMigrations,
    migrationsTableName: TableNames.migrations,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    logger: new TypeormLogBridge(options.logger),
    maxQueryExecutionTime: 2000,
  } as const;
  if (loc.kind === 'sqlite') {
    return new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: loc.path,
      timeout: options.busyTimeoutMs,
      prepareDatabase: (db: SqlitePragmas) => {
        if (loc.path === ':memory:') return;
        // WAL lets `status` read while `run` writes. NORMAL does not sync the WAL on every
        // commit; the store switches to FULL for each commit that stores a checkpoint, and that
        // sync makes every earlier commit durable too (the WAL is written in order). So the
        // source is told to forget only what is on disk, at one fsync per checkpoint instead of
        // one per batch (better-sqlite3 blocks the event loop for each).
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      },
    });
  }
  if (loc.kind === 'postgres') {
    return new DataSource({
      ...common,
      type: 'postgres',
      url: loc.url,
      ...(loc.tls === undefined ? {} : { ssl: nodeTlsOptions(loc.tls) ?? false }),
      poolSize: 4,
      connectTimeoutMS: 10_000,
      applicationName: 'cidaas-sync-state',
      poolErrorHandler: (err: unknown) => options.logger.warn('state store connection failed', { error: err instanceof Error ? err.message : String(err) }),
    });
  }
  return new DataSource({
    ...common,
    type: loc.flavor,
    host: loc.host,
    port: loc.port,
    username: loc.username,
    password: loc.password,
    database: loc.database,
    poolSize: 4,
    connectTimeout: 10_000,
    ...mysqlStateTls(loc),
  });
}

/** mysql2's `ssl` for the state store: `state.tls` when configured, else the URL's `ssl=true`. */
export function mysqlStateTls(loc: Extract<StateStoreLocation, { kind: 'mysql' }>): { ssl?: NonNullable<ReturnType<typeof nodeTlsOptions>> } {
  if (loc.tls !== undefined) {
    const ssl = nodeTlsOptions(loc.tls);
    return ssl === undefined ? {} : { ssl };
  }
  return loc.ssl ? { ssl: { rejectUnauthorized: true, verifyIdentity: true } } : {};
}
