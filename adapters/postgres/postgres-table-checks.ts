import type pg from 'pg';
import { didYouMean } from '../../config/did-you-mean.js';
import type { ColumnUse, ExpectedColumn, ExpectedTable } from '../../src/preflight/expected-columns.js';
import { fail, pass, type PreflightItem } from '../../src/preflight/preflight-item.js';
import { quoteIdent, quoteQualified } from './postgres-source.js';

/** A column as the PostgreSQL catalog describes it. */
interface CatalogColumn {
  readonly name: string;
  /** pg_type.typname: `text`, `int8`, `jsonb`, ... */
  readonly typname: string;
  /** pg_type.typcategory: S string, N numeric, B boolean, D date/time, A array, C composite, U other. */
  readonly category: string;
  /** format_type(): `character varying(255)`, for messages. */
  readonly display: string;
}

/** Why a column of this type cannot serve `use`, or null when it can. */
function typeProblem(use: ColumnUse, c: CatalogColumn): string | null {
  const json = c.typname === 'json' || c.typname === 'jsonb';
  switch (use) {
    case 'key':
      // The types SqlLegacyReader can turn a key's text back into (legacy-key.ts); `run` refuses the others too.
      return ['int2', 'int4', 'int8', 'numeric', 'uuid', 'bytea'].includes(c.typname) || c.category === 'S' ? null : 'needs an integer, text, uuid or bytea column';
    case 'text':
      return c.category === 'A' || c.category === 'C' || json ? 'needs a scalar column (text, number, enum)' : null;
    case 'boolean':
      // A date/time counts as yes when set (`confirmed_at`, `email_verified_at`).
      return ['B', 'N', 'S', 'D'].includes(c.category) ? null : 'needs a boolean, number, text or date/time column';
    case 'date':
    case 'timestamp':
      return c.category === 'D' || c.category === 'S' ? null : 'needs a date/timestamp or text column';
    case 'secret':
      return c.category === 'S' || c.typname === 'bytea' ? null : 'needs a text or bytea column';
    case 'integer':
      return c.category === 'N' || c.category === 'S' ? null : 'needs a number or digit text column';
    case 'any':
      return null;
  }
}

async function columnsOf(c: pg.Client, oid: number): Promise<Map<string, CatalogColumn>> {
  const r = await c.query<CatalogColumn>(
    `SELECT a.attname AS name, t.typname, t.typcategory AS category, format_type(a.atttypid, a.atttypmod) AS display
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [oid]);
  return new Map(r.rows.map((row) => [row.name, row]));
}

function columnItems(t: ExpectedTable, columns: Map<string, CatalogColumn>): PreflightItem[] {
  const items: PreflightItem[] = [];
  const byColumn = new Map<string, ExpectedColumn[]>();
  for (const e of t.columns) byColumn.set(e.column, [...(byColumn.get(e.column) ?? []), e]);
  for (const [column, uses] of byColumn) {
    const keys = uses.map((u) => u.configKey).join(', ');
    const found = columns.get(column);
    if (!found) {
      const guess = didYouMean(column, columns.keys());
      items.push(fail(`column ${t.qualified}.${column}`, `does not exist (named by ${keys})`,
        `set ${uses[0]!.configKey} to a column of ${t.qualified}${guess ? ` (did you mean \`${guess}\`?)` : ` (it has: ${[...columns.keys()].join(', ')})`}`));
      continue;
    }
    for (const u of uses) {
      const problem = typeProblem(u.use, found);
      if (problem) {
        items.push(fail(`column ${t.qualified}.${column}`, `is ${found.display}; ${u.configKey} ${problem}`,
          `point ${u.configKey} at a suitable column, or convert the value in a mapping module (\`mapping:\`)`));
      }
    }
  }
  if (items.length === 0) items.push(pass(`columns of ${t.qualified}`, `${byColumn.size} configured columns exist with usable types`));
  return items;
}

/**
 * Replica identity decides what a DELETE (and a key-changing UPDATE) carries in the log. A related
 * table's delete must carry the user key, or cidaas-sync cannot tell whose password or MFA device
 * went away.
 */
async function replicaIdentityItem(c: pg.Client, t: ExpectedTable, oid: number): Promise<PreflightItem> {
  const r = await c.query<{ ident: string; pk: string[] | null; idx: string[] | null }>(
    `SELECT c.relreplident AS ident,
            (SELECT array_agg(a.attname::text) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[])
              WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
            (SELECT array_agg(a.attname::text) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey::int2[])
              WHERE i.indrelid = c.oid AND i.indisreplident) AS idx
       FROM pg_class c WHERE c.oid = $1`, [oid]);
  const row = r.rows[0]!;
  const name = `replica identity of ${t.qualified}`;
  const sql = `ALTER TABLE ${quoteQualified(t.qualified)} REPLICA IDENTITY FULL;`;
  const why = `a DELETE on it must carry ${t.userKey} (${t.userKeyConfigKey}), or cidaas-sync cannot tell which user it concerns`;
  const fix = `as the table owner: ${sql}`;
  switch (row.ident) {
    case 'f':
      return pass(name, 'FULL');
    case 'd':
      if (!row.pk) return fail(name, `DEFAULT without a primary key: the log carries no old row, and ${why}`, fix, [sql]);
      if (row.pk.includes(t.userKey)) return pass(name, `DEFAULT (primary key ${row.pk.join(', ')} holds ${t.userKey})`);
      return fail(name, `DEFAULT: a delete carries only the primary key (${row.pk.join(', ')}); ${why}`, fix, [sql]);
    case 'i':
      if (row.idx?.includes(t.userKey)) return pass(name, `USING INDEX (${row.idx.join(', ')})`);
      return fail(name, `USING INDEX (${(row.idx ?? []).join(', ')}) without ${t.userKey}; ${why}`, fix, [sql]);
    default:
      return fail(name, `NOTHING: the log carries no old row; ${why}`, fix, [sql]);
  }
}

/** The other tables of a schema, for "did you mean". */
async function tablesIn(c: pg.Client, schema: string): Promise<string[]> {
  const r = await c.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`, [schema]);
  return r.rows.map((x) => x.name);
}

/**
 * Per configured table: it exists, the role may SELECT it, every configured column exists with a
 * type that works for its use, and its replica identity carries the user key.
 */
export async function checkPostgresTables(c: pg.Client, tables: readonly ExpectedTable[], role: string): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  for (const t of tables) {
    const reg = await c.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [quoteQualified(t.qualified)]);
    const oid = reg.rows[0]?.oid ?? null;
    if (oid === null) {
      const guess = didYouMean(t.table.name, await tablesIn(c, t.table.schema));
      items.push(fail(`table ${t.qualified}`, `does not exist, or this role cannot see it (named by ${t.configKey})`,
        guess ? `set ${t.configKey} to ${t.table.schema}.${guess}?` : `create it, or set ${t.configKey} to an existing table (schema.table)`));
      continue;
    }
    const priv = await c.query<{ ok: boolean }>("SELECT has_table_privilege($1::oid, 'SELECT') AS ok", [oid]);
    items.push(priv.rows[0]?.ok
      ? pass(`SELECT on ${t.qualified}`, `granted to ${role}`)
      : fail(`SELECT on ${t.qualified}`, `${role} may not read it`, `as the table owner: GRANT SELECT ON ${quoteQualified(t.qualified)} TO ${quoteIdent(role)};`));
    items.push(...columnItems(t, await columnsOf(c, oid)));
    items.push(await replicaIdentityItem(c, t, oid));
  }
  return items;
}
