import type { Config } from '../../config/config-schema.js';
import { loadMappingModule } from '../../config/load-mapping-module.js';
import type { MappingFunction } from '../../config/mapping-types.js';
import { CidaasClient } from '../cidaas/cidaas-client.js';
import { afterUpdate, keepsRemovedTotp } from '../cidaas/cidaas-compat.js';
import { DispatchGovernor } from '../dispatch/dispatch-governor.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { SyncMetrics } from '../observability/metrics.js';
import type { Source } from '../source.js';
import { sourceAdapterFor } from '../source-adapter-for.js';
import type { SqlDialect } from '../sql-dialect.js';
import { SqlLegacyReader } from '../sql-legacy-reader.js';
import { openStateStore } from '../state/open-state-store.js';
import type { StateFence, StateStore } from '../state/state-store.js';
import { Translator } from '../translator.js';
import { UserMapper } from '../user-mapper.js';
import { countingReader } from '../observability/counting-reader.js';
import { qualifiedName, readerTables, watchedTables } from './pipeline-tables.js';
import { META } from '../state/meta-keys.js';

/** Everything a command needs, opened from one configuration; {@link Pipeline.close} releases it all. */
export interface Pipeline {
  readonly config: Config;
  readonly store: StateStore;
  readonly source: Source;
  readonly reader: SqlLegacyReader;
  readonly translator: Translator;
  readonly mapper: UserMapper;
  readonly client: CidaasClient;
  readonly governor: DispatchGovernor;
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

/**
 * Connections for legacy reads: a batch reads up to four tables at once, `concurrency` batches are
 * in flight, and the backfill pages keys meanwhile. Capped so a high concurrency cannot exhaust the
 * legacy server's max_connections.
 */
function readPoolSize(config: Config): number {
  const tables = 1 + [config.password?.table, config.mfa?.table, config.attributes, config.users.groups, config.users.identities].filter(Boolean).length;
  return Math.min(24, config.cidaas.concurrency * tables + 2);
}

/** The source adapter and the read dialect for the configured database. */
export async function openSource(config: Config, logger: Logger, beforeConnect?: () => void): Promise<{ source: Source; dialect: SqlDialect }> {
  const adapter = await sourceAdapterFor(config.source);
  // One table may serve two roles (password and MFA rows in one credential table).
  const tables = [...new Set(watchedTables(config).map((t) => t.table))];
  return { source: adapter.createSource({ tables, logger, ...(beforeConnect ? { beforeConnect } : {}) }), dialect: adapter.createDialect({ maxConnections: readPoolSize(config) }) };
}

/** Where the dispatch pace a run settled at is kept for the next run's start. */
export const GOVERNOR_RATE_META = META.governorRate;

/** The remembered starting pace, when one is stored and sane. */
function pacedFrom(stored: string | null): { startCallsPerSecond?: number } {
  const rate = stored === null ? NaN : Number(stored);
  return Number.isFinite(rate) && rate > 0 ? { startCallsPerSecond: rate } : {};
}

export interface OpenPipelineOptions {
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  /** Wraps the legacy reader the dispatcher uses (tests force a read older than the log with it). */
  readonly wrapReader?: (reader: LegacyReader) => LegacyReader;
  /** High availability: every state store write checks it in its own transaction. */
  readonly fence?: StateFence;
  /** High availability: headers of every cidaas API call (a throw stops the call unsent). */
  readonly requestHeaders?: () => Record<string, string>;
  /** High availability: runs as each cidaas request is written to its connection; a throw abandons it unsent. */
  readonly beforeSend?: () => void;
  /** High availability: runs before every (re)connect of the log reader; a throw stops the reader instead. */
  readonly beforeConnect?: () => void;
  /** An open state store to use instead of opening one; the caller closes it (a standby opens it before its term). */
  readonly store?: StateStore;
}

/** Opens the state store, the source, the reader and the cidaas client for `config`. */
export async function openPipeline(config: Config, o: OpenPipelineOptions): Promise<Pipeline> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const mapping: MappingFunction | undefined = config.mapping ? await loadMappingModule(config.mapping) : undefined;
    const store = o.store ?? await openStateStore(config.state.url, { logger: o.logger });
    if (!o.store) closers.push(() => store.close());
    if (o.fence) store.setFence?.(o.fence);
    const { source, dialect } = await openSource(config, o.logger, o.beforeConnect);
    closers.push(() => source.stop());
    const reader = new SqlLegacyReader(dialect, readerTables(config));
    closers.push(() => reader.close());
    // A key column cidaas-sync cannot use stops every command here, before anything is read or pushed.
    await reader.prepare();
    const governor = new DispatchGovernor({
      maxConcurrency: config.cidaas.concurrency,
      ...(config.cidaas.maxCallsPerSecond === undefined ? {} : { maxCallsPerSecond: config.cidaas.maxCallsPerSecond }),
      ...pacedFrom(await store.getMeta(GOVERNOR_RATE_META)),
    });
    // The pace this run settles at is where the next one starts (before the store closes).
    closers.push(async () => {
      const rate = governor.settledRate;
      if (rate !== null) await store.setMeta(GOVERNOR_RATE_META, rate.toFixed(2));
    });
    o.metrics.concurrency.set(config.cidaas.concurrency);
    const client = new CidaasClient({
      baseUrl: config.cidaas.baseUrl,
      clientId: config.cidaas.clientId,
      clientSecret: config.cidaas.clientSecret,
      logger: o.logger.child({ component: 'cidaas' }),
      connections: config.cidaas.concurrency * 2,
      requestTimeoutMs: config.cidaas.requestTimeoutMs,
      compat: config.cidaas.compat,
      ...(o.requestHeaders ? { requestHeaders: o.requestHeaders } : {}),
      ...(o.beforeSend ? { beforeSend: o.beforeSend } : {}),
      allowEmulator: config.cidaas.allowEmulator,
      observer: {
        onResponse: (r) => governor.onResponse(r.status),
        onThrottled: (t) => {
          governor.onThrottled(t.retryAfterMs);
          o.metrics.throttled.inc();
        },
        onRetry: (r) => o.metrics.retries.inc({ endpoint: r.endpoint, reason: r.reason }),
      },
    });
    closers.push(() => client.close());
    const mapper = new UserMapper(config, mapping, config.engine.mappingTimeoutMs);
    const dispatcher = new Dispatcher({
      reader: countingReader(o.wrapReader ? o.wrapReader(reader) : reader, readerTables(config), o.metrics), mapper, client, store, logger: o.logger, metrics: o.metrics, onDelete: config.cidaas.onDelete,
      afterUpdate: afterUpdate(config.cidaas.compat), keepsRemovedTotp: keepsRemovedTotp(config.cidaas.compat),
      onRevoked: config.password?.onRevoked ?? 'scramble', readRetryMs: config.engine.readRetryMs, readRetryMaxMs: config.engine.readRetryMaxMs,
    });
    return { config, store, source, reader, translator: new Translator(watchedTables(config)), mapper, client, governor, dispatcher, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export { qualifiedName };
