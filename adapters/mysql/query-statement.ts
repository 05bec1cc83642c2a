/**
 * Reads what a statement in a binlog `Query` event does to rows. Under `binlog_format=ROW` every
 * row change is a row event, except those that remove rows wholesale: `TRUNCATE` and
 * `ALTER TABLE ... TRUNCATE|DROP PARTITION` leave only their statement text, so this is the one
 * place the adapter parses SQL. It accepts the plain forms (`TRUNCATE [TABLE] [db.]name
 * [WAIT n | NOWAIT]`, identifiers bare or in backticks, leading comments); one it cannot read is
 * reported as `unparsed` so the caller can err on the loud side.
 */
export type TruncateParse =
  /** Not a TRUNCATE statement. */
  | { readonly kind: 'other' }
  /** A TRUNCATE of `table` (`database.table`; the event's default database when the statement names none). */
  | { readonly kind: 'truncate'; readonly table: string }
  /** A TRUNCATE whose table could not be read with certainty. */
  | { readonly kind: 'unparsed' };

const IDENT = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$\\u0080-\\uFFFF]+)';
const NAME = `(${IDENT})(?:\\s*\\.\\s*(${IDENT}))?`;
const TRUNCATE = new RegExp(`^TRUNCATE(?:\\s+TABLE)?\\s+${NAME}(?:\\s+(?:WAIT\\s+\\d+|NOWAIT))?\\s*;?\\s*$`, 'i');
const PARTITION = new RegExp(`^ALTER\\s+(?:ONLINE\\s+)?(?:IGNORE\\s+)?TABLE\\s+(?:IF\\s+EXISTS\\s+)?${NAME}(?:\\s+(?:WAIT\\s+\\d+|NOWAIT))?\\s+(?:TRUNCATE|DROP)\\s+PARTITION\\b`, 'i');

/** Parses `query` (the text of a binlog Query event) run with `defaultDatabase` as the current database. */
export function parseTruncate(query: string, defaultDatabase: string): TruncateParse {
  const sql = stripLeadingComments(query);
  const partition = /^ALTER\b/i.test(sql) && /\b(?:TRUNCATE|DROP)\s+PARTITION\b/i.test(sql);
  if (!/^TRUNCATE\b/i.test(sql) && !partition) return { kind: 'other' };
  const m = (partition ? PARTITION : TRUNCATE).exec(sql);
  if (!m) return { kind: 'unparsed' };
  const first = unquote(m[1]!);
  if (m[2] !== undefined) return { kind: 'truncate', table: `${first}.${unquote(m[2])}` };
  if (defaultDatabase === '') return { kind: 'unparsed' };
  return { kind: 'truncate', table: `${defaultDatabase}.${first}` };
}

function unquote(ident: string): string {
  return ident.startsWith('`') ? ident.slice(1, -1).replace(/``/g, '`') : ident;
}

/** Drops leading whitespace and comments; an executable comment (`/*!`, `/*M!`) is SQL and stays. */
function stripLeadingComments(query: string): string {
  let s = query.trimStart();
  for (;;) {
    if (s.startsWith('/*') && !/^\/\*M?!/.test(s)) {
      const end = s.indexOf('*/');
      if (end < 0) return s;
      s = s.slice(end + 2).trimStart();
    } else if (s.startsWith('-- ') || s.startsWith('#')) {
      const end = s.indexOf('\n');
      if (end < 0) return '';
      s = s.slice(end + 1).trimStart();
    } else {
      return s;
    }
  }
}

/**
 * True for a row-changing statement (INSERT, UPDATE, DELETE, REPLACE, LOAD DATA): under
 * `binlog_format=ROW` these never reach the binlog as statements, so one that does was logged by a
 * session running with STATEMENT or MIXED format, and its rows are not in the stream.
 */
export function isStatementLoggedDml(query: string): boolean {
  return /^(?:INSERT|UPDATE|DELETE|REPLACE|LOAD\s+DATA)\b/i.test(stripLeadingComments(query));
}
