/** Quotes one SQL identifier for PostgreSQL: `"name"`, doubling embedded quotes. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Quotes a dotted name part by part: `public.users` -> `"public"."users"`. */
export function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}
