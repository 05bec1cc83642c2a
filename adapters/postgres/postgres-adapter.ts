import type { PostgresSourceConfig } from '../../config/config-schema.js';
import { ExitCode, SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { PreflightItem, RepairOutcome } from '../../src/preflight/preflight-item.js';
import type { SourceAdapter, SourceCreateOptions, SourceFinishOptions, SourcePreflightContext } from '../../src/source-adapter.js';
import type { Source } from '../../src/source.js';
import type { SqlDialect } from '../../src/sql-dialect.js';
import { PostgresDialect } from './postgres-dialect.js';
import { checkPostgresSource, repairPostgresSource } from './postgres-preflight.js';
import { dropReplicationSlot, slotHolder } from './postgres-server.js';
import { PostgresSource } from './postgres-source.js';

/** PostgreSQL logical replication (pgoutput) behind the {@link SourceAdapter} seam: one slot, one publication. */
export class PostgresAdapter implements SourceAdapter {
  readonly kind = 'postgres';
  readonly preflightNeedsCheckpoint = false;
  readonly replicaServerId = null;
  readonly #s: PostgresSourceConfig;

  constructor(source: PostgresSourceConfig) {
    this.#s = source;
  }

  get retainedBy(): string {
    return `by slot ${this.#s.slot}`;
  }

  createSource(o: SourceCreateOptions): Source {
    const s = this.#s;
    return new PostgresSource({ url: s.url, slot: s.slot, publication: s.publication, tables: o.tables, logger: o.logger, failoverSlot: s.failoverSlot,
      ...(o.beforeConnect ? { beforeConnect: o.beforeConnect } : {}),
      ...(s.heartbeat?.table ? { heartbeat: { table: `${s.heartbeat.table.schema}.${s.heartbeat.table.name}`, intervalMs: s.heartbeat.intervalSeconds * 1000 } } : {}),
    });
  }

  createDialect(o: { readonly maxConnections: number }): SqlDialect {
    return new PostgresDialect(this.#s.url, { maxConnections: o.maxConnections });
  }

  preflight(context: SourcePreflightContext): Promise<PreflightItem[]> {
    return checkPostgresSource(this.#s, context.tables);
  }

  repair(items: readonly PreflightItem[]): Promise<RepairOutcome[]> {
    return repairPostgresSource(this.#s, items);
  }

  async assertLogFree(): Promise<void> {
    const s = this.#s;
    const holder = await slotHolder(s.url, s.slot);
    if (holder) {
      throw new SyncError('USAGE', `the replication slot "${s.slot}" is in use by process ${holder.pid} (${holder.application ?? 'unknown application'})`, {
        hint: 'stop `cidaas-sync run` first (SIGTERM: it checkpoints and exits); cutover drains the stream itself', exitCode: ExitCode.config,
      });
    }
  }

  /**
   * After the previous holder died its walsender may keep the slot "active for PID" until it
   * notices: at once when the connection closed (the process was killed), at the latest after
   * `wal_sender_timeout` when the host vanished or the process is paused.
   */
  async waitForLogFree(logger: Logger, keepWaiting: () => boolean): Promise<void> {
    const s = this.#s;
    let said: number | null = null;
    const started = Date.now();
    while (keepWaiting()) {
      let holder: { pid: number; application: string | null } | null;
      try {
        holder = await slotHolder(s.url, s.slot);
      } catch (err) {
        logger.warn('the replication slot cannot be checked now; trying again', { error: (err as Error).message });
        holder = { pid: said ?? 0, application: null };
      }
      if (holder === null) {
        if (said !== null) logger.info('the replication slot is free', { slot: s.slot, waitedMs: Date.now() - started });
        return;
      }
      if (holder.pid !== said && holder.pid !== 0) {
        said = holder.pid;
        logger.warn('waiting for the replication slot: it is still active for the walsender of the previous holder', {
          slot: s.slot, pid: holder.pid, application: holder.application,
          why: 'PostgreSQL ends that walsender once it notices the old connection is gone, at the latest after wal_sender_timeout',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** `--drop-slot`: drops the slot (PostgreSQL then keeps no more WAL for us), only when verify passed unless forced. */
  async finish(o: SourceFinishOptions): Promise<string[]> {
    const s = this.#s;
    if (!o.release) return [];
    if (!o.verified && !o.force) {
      throw new SyncError('VERIFY_DIFFERENCES', `legacy and cidaas differ (report: ${o.reportPath}); the slot "${s.slot}" is kept so the sync can resume`, {
        hint: 'fix the differences and run cutover again, or add --force to drop the slot anyway', exitCode: ExitCode.verify,
      });
    }
    await o.stopSource();
    const dropped = await dropReplicationSlot(s.url, s.slot);
    return [dropped ? `replication slot "${s.slot}" dropped: PostgreSQL keeps no more WAL for cidaas-sync` : `replication slot "${s.slot}" was already gone`];
  }
}
