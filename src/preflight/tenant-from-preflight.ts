import type { Config } from '../../config/config-schema.js';
import { openSource } from '../app/open-pipeline.js';
import type { Logger } from '../observability/logger.js';
import type { SqlDialect } from '../sql-dialect.js';
import { tenantFromTables, type SourceKind } from '../tenant/legacy-tenant.js';
import { fail, pass, type PreflightItem } from './preflight-item.js';

/** The session's user as GRANT names it: `"role"` on PostgreSQL, `'user'@'host'` on MySQL/MariaDB. */
async function grantee(dialect: SqlDialect, kind: SourceKind): Promise<string> {
  if (kind === 'postgres') return dialect.quoteIdent(String((await dialect.query('SELECT current_user AS u', []))[0]?.['u'] ?? ''));
  const raw = String((await dialect.query('SELECT CURRENT_USER() AS u', []))[0]?.['u'] ?? '');
  const at = raw.lastIndexOf('@');
  const [name, host] = at < 0 ? [raw, '%'] : [raw.slice(0, at), raw.slice(at + 1)];
  return `'${name.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
}

/** The schema (PostgreSQL) or database (MySQL) an unqualified name resolves in, so that the GRANT names the table wherever it is run. */
async function defaultSchema(dialect: SqlDialect, kind: SourceKind): Promise<string | null> {
  const rows = await dialect.query(kind === 'postgres' ? 'SELECT current_schema() AS s' : 'SELECT DATABASE() AS s', []);
  const s = rows[0]?.['s'];
  return s === null || s === undefined ? null : String(s);
}

/** A missing table (PostgreSQL 42P01, MySQL 1146), as opposed to a refused read. */
function isMissingTable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown };
  return e.code === '42P01' || e.errno === 1146;
}

/**
 * `tenant.from` reads the platform's own tables at `setup` (Keycloak's client and
 * identity_provider, WordPress's options, Django OAuth Toolkit's applications), tables the user
 * sync never touches and so the source checks never named. Per table: the source user may SELECT
 * it, or the exact GRANT that lets it. Without this, `check` passed and `setup` then stopped.
 */
export async function checkTenantFromReads(config: Config, logger: Logger): Promise<PreflightItem[]> {
  const from = config.tenant?.from;
  if (!from || (!from.apps && !from.providers)) return [];
  const kind = config.source.kind;
  const tables = tenantFromTables(from, kind);
  const { source, dialect } = await openSource(config, logger);
  try {
    const user = await grantee(dialect, kind);
    const schema = await defaultSchema(dialect, kind);
    const items: PreflightItem[] = [];
    for (const t of tables) {
      const qualified = t.table.includes('.') || schema === null ? t.table : `${schema}.${t.table}`;
      const name = `SELECT on ${qualified} (${t.configKey})`;
      try {
        await dialect.query(`SELECT 1 FROM ${dialect.quoteTable(qualified)} WHERE 1 = 0`, []);
        items.push(pass(name, `readable: setup reads it for ${t.configKey}`));
      } catch (err) {
        items.push(isMissingTable(err)
          ? fail(name, `does not exist: setup reads it for ${t.configKey}`, `check ${t.configKey} (kind, schema, tablePrefix) against the legacy database`)
          : fail(name, `${user} may not read it: setup reads it for ${t.configKey} (${(err as Error).message})`,
            `${kind === 'postgres' ? 'as the table owner: ' : ''}GRANT SELECT ON ${dialect.quoteTable(qualified)} TO ${user};`));
      }
    }
    return items;
  } finally {
    await dialect.close().catch(() => undefined);
    await source.stop().catch(() => undefined);
  }
}
