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

/**
 * `table` qualified as the server resolves it, so that the GRANT names it wherever the DBA runs it:
 * PostgreSQL looks an unqualified name up along the search_path (to_regclass needs no privilege
 * on the table), MySQL in the connection's database.
 */
async function qualified(dialect: SqlDialect, kind: SourceKind, table: string): Promise<string> {
  if (table.includes('.')) return table;
  const rows = kind === 'postgres'
    ? await dialect.query('SELECT COALESCE((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)), current_schema()) AS s', [table])
    : await dialect.query('SELECT DATABASE() AS s', []);
  const s = rows[0]?.['s'];
  return s === null || s === undefined ? table : `${String(s)}.${table}`;
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
    const items: PreflightItem[] = [];
    for (const t of tables) {
      const full = await qualified(dialect, kind, t.table);
      const name = `SELECT on ${full} (${t.configKey})`;
      try {
        // The name as setup reads it: the same lookup, the same privilege check.
        await dialect.query(`SELECT 1 FROM ${dialect.quoteTable(t.table)} WHERE 1 = 0`, []);
        items.push(pass(name, `readable: setup reads it for ${t.configKey}`));
      } catch (err) {
        items.push(isMissingTable(err)
          ? fail(name, `does not exist: setup reads it for ${t.configKey}`, `check ${t.configKey} (kind, schema, tablePrefix) against the legacy database`)
          : fail(name, `${user} may not read it: setup reads it for ${t.configKey} (${(err as Error).message})`,
            `${kind === 'postgres' ? 'as the table owner: ' : ''}GRANT SELECT ON ${dialect.quoteTable(full)} TO ${user};`));
      }
    }
    return items;
  } finally {
    await dialect.close().catch(() => undefined);
    await source.stop().catch(() => undefined);
  }
}
