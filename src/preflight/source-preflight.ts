import type { Config } from '../../config/config-schema.js';
import type { Logger } from '../observability/logger.js';
import { expectedTables } from './expected-columns.js';
import type { PreflightItem, RepairOutcome } from './preflight-item.js';

/** What the source checks need beyond the configuration. */
export interface SourceCheckContext {
  /** The stored checkpoint, when there is one (MySQL: it must still be in the binlog). */
  readonly checkpoint: string | null;
}

/** The preflight items of the configured source database (the adapters hold the checks). */
export async function checkSource(config: Config, logger: Logger, context: SourceCheckContext): Promise<PreflightItem[]> {
  const s = config.source;
  if (s.kind === 'postgres') {
    const { checkPostgresSource } = await import('../../adapters/postgres/postgres-preflight.js');
    return checkPostgresSource(config, logger);
  }
  const { checkMysqlSource } = await import('../../adapters/mysql/mysql-preflight.js');
  return checkMysqlSource(s.url, { tables: [...new Set(expectedTables(config).map((t) => t.qualified))], serverId: s.serverId, checkpoint: context.checkpoint });
}

/**
 * `check --fix` for the source: runs what the configured credentials may (PostgreSQL: create or
 * alter the publication, REPLICA IDENTITY FULL, create the slot) and lists what they may not.
 */
export async function repairSource(config: Config, items: readonly PreflightItem[], logger: Logger): Promise<RepairOutcome[]> {
  if (config.source.kind === 'postgres') {
    const { repairPostgresSource } = await import('../../adapters/postgres/postgres-preflight.js');
    return repairPostgresSource(config, items, logger);
  }
  return items.filter((i) => !i.ok).map((i) => ({
    item: i.name, action: i.fix ?? 'see the check output', done: false, attempted: false,
    detail: 'check --fix changes nothing on MySQL/MariaDB: every fix there is a server setting or a grant',
  }));
}
