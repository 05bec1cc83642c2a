import type { MysqlSourceConfig } from '../../config/config-schema.js';
import type { PreflightItem, RepairOutcome } from '../../src/preflight/preflight-item.js';
import type { SourceAdapter, SourceCreateOptions, SourceFinishOptions, SourcePreflightContext } from '../../src/source-adapter.js';
import type { Source } from '../../src/source.js';
import type { SqlDialect } from '../../src/sql-dialect.js';
import { MysqlDialect } from './mysql-dialect.js';
import { checkMysqlSource } from './mysql-preflight.js';
import { MysqlSource } from './mysql-source.js';

/**
 * The MySQL/MariaDB binlog behind the {@link SourceAdapter} seam. The server keeps nothing for us
 * (the checkpoint holds the position), so there is nothing to wait for, free or drop.
 */
export class MysqlAdapter implements SourceAdapter {
  readonly kind = 'mysql';
  /** The binlog check says whether the checkpoint is still in the binlog. */
  readonly preflightNeedsCheckpoint = true;
  readonly retainedBy = null;
  readonly #s: MysqlSourceConfig;

  constructor(source: MysqlSourceConfig) {
    this.#s = source;
  }

  /** With one server id the server drops the older connection, so two replicas never stream at once. */
  get replicaServerId(): string {
    return String(this.#s.serverId);
  }

  createSource(o: SourceCreateOptions): Source {
    const s = this.#s;
    return new MysqlSource({ url: s.url, serverId: s.serverId, tables: o.tables, logger: o.logger,
      ...(o.beforeConnect ? { beforeConnect: o.beforeConnect } : {}),
      ...(s.heartbeat?.table ? { heartbeat: { table: `${s.heartbeat.table.schema}.${s.heartbeat.table.name}`, intervalMs: s.heartbeat.intervalSeconds * 1000 } } : {}),
    });
  }

  createDialect(o: { readonly maxConnections: number }): SqlDialect {
    return new MysqlDialect(this.#s.url, { maxConnections: o.maxConnections });
  }

  preflight(context: SourcePreflightContext): Promise<PreflightItem[]> {
    return checkMysqlSource(this.#s.url, {
      tables: [...new Set(context.tables.map((t) => t.qualified))], columns: context.tables, serverId: this.#s.serverId, checkpoint: context.checkpoint,
    });
  }

  /** Every fix on MySQL/MariaDB is a server setting or a grant: listed, never run. */
  async repair(items: readonly PreflightItem[]): Promise<RepairOutcome[]> {
    return items.filter((i) => !i.ok).map((i) => ({
      item: i.name, action: i.fix ?? 'see the check output', done: false, attempted: false,
      detail: 'check --fix changes nothing on MySQL/MariaDB: every fix there is a server setting or a grant',
    }));
  }

  async assertLogFree(): Promise<void> {}

  /** The server drops the older connection of the same server id: nothing to wait for. */
  async waitForLogFree(): Promise<void> {}

  /** The binlog keeps nothing for us to release; the final position goes on record. */
  async finish(o: SourceFinishOptions): Promise<string[]> {
    return [`final binlog position (for the record): ${o.finalPosition}`];
  }
}
