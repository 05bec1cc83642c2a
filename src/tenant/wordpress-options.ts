import type { SqlDialect } from '../sql-dialect.js';

/**
 * WordPress options (`<prefix>options`: option_name, option_value; wp-admin/includes/schema.php)
 * whose name is one of `names` or matches the LIKE pattern `like` (`\_` for a literal `_`, the
 * default LIKE escape on PostgreSQL and MySQL alike), as option_name → option_value text.
 */
export async function readWordpressOptions(dialect: SqlDialect, tablePrefix: string, schema: string | undefined,
  match: { names: readonly string[]; like: string }): Promise<Map<string, string>> {
  const table = dialect.quoteTable(wordpressOptionsTable(tablePrefix, schema));
  const name = dialect.quoteIdent('option_name');
  const named = dialect.inList(name, match.names, 2);
  const rows = await dialect.query(
    `SELECT ${name} AS n, ${dialect.quoteIdent('option_value')} AS v FROM ${table} WHERE ${name} LIKE ${dialect.placeholder(1)}`
    + `${match.names.length ? ` OR ${named.sql}` : ''} ORDER BY ${name}`,
    [match.like, ...(match.names.length ? named.params : [])],
  );
  const text = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return new Map(rows.map((r) => [text(r['n']), text(r['v'])]));
}

/** `<prefix>options`, in `schema` when one is given (unquoted). */
export function wordpressOptionsTable(tablePrefix: string, schema: string | undefined): string {
  return `${schema ? `${schema}.` : ''}${tablePrefix}options`;
}
