import type { StoredUser } from './stored-user.js';
import { isObject } from './http-io.js';
import type { UserStore } from './user-store.js';

/**
 * POST /user-srv/graph/users, the part of cidaas's search the emulator supports:
 *
 * - `from` (default 0) and `size` (default 10): `size` 1..1000 and `from + size` <= 10000;
 * - `sortfield`: only `"sub"` (the default); `descending` (default false);
 * - `terms`: strings; a user matches when one term equals its sub or (case-insensitive)
 *   its email — several terms match any of them (OR), as an Elasticsearch terms query;
 * - `fieldsFilter`: `[{field, value: string | string[], exactMatch?: true}]`, exact match on
 *   sub, email (case-insensitive), username, mobile_number, userStatus, provider,
 *   given_name or family_name; all filters must match (AND), a value list matches any.
 *
 * Anything else in the body is refused with 400, so a client cannot rely on a filter the
 * emulator silently ignores.
 */
export interface SearchQuery {
  readonly from: number;
  readonly size: number;
  readonly descending: boolean;
  readonly terms?: readonly string[];
  readonly fieldsFilter?: readonly { readonly field: string; readonly values: readonly string[] }[];
}

/** Caps of the search (cidaas caps results at 10k). */
export const SEARCH_MAX_SIZE = 1000;
export const SEARCH_MAX_WINDOW = 10_000;

const KEYS = new Set(['from', 'size', 'sortfield', 'descending', 'terms', 'fieldsFilter']);
const FILTER_FIELDS = new Set(['sub', 'email', 'username', 'mobile_number', 'userStatus', 'provider', 'given_name', 'family_name']);

/** Parses a search body; a string is the 400 message. */
export function parseSearchQuery(body: unknown): SearchQuery | string {
  if (!isObject(body)) return 'the body must be a JSON object';
  for (const key of Object.keys(body)) if (!KEYS.has(key)) return `"${key}" is not supported by the emulator's search (see user-search.ts)`;
  const { from = 0, size = 10, sortfield = 'sub', descending = false, terms, fieldsFilter } = body;
  if (!Number.isInteger(from) || (from as number) < 0) return 'from must be an integer >= 0';
  if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > SEARCH_MAX_SIZE) return `size must be an integer 1..${SEARCH_MAX_SIZE}`;
  if ((from as number) + (size as number) > SEARCH_MAX_WINDOW) return `from + size must be <= ${SEARCH_MAX_WINDOW}; read further users by sub`;
  if (sortfield !== 'sub') return 'sortfield must be "sub" (the only one the emulator supports)';
  if (typeof descending !== 'boolean') return 'descending must be a boolean';
  const query: { -readonly [K in keyof SearchQuery]: SearchQuery[K] } = { from: from as number, size: size as number, descending };
  if (terms !== undefined) {
    if (!Array.isArray(terms) || !terms.every((t) => typeof t === 'string' && t !== '')) return 'terms must be an array of non-empty strings';
    query.terms = terms as string[];
  }
  if (fieldsFilter !== undefined) {
    if (!Array.isArray(fieldsFilter)) return 'fieldsFilter must be an array';
    const filters: { field: string; values: string[] }[] = [];
    for (const f of fieldsFilter) {
      if (!isObject(f) || typeof f['field'] !== 'string' || !FILTER_FIELDS.has(f['field'])) {
        return `fieldsFilter entries need a field among ${[...FILTER_FIELDS].join(', ')}`;
      }
      const values = typeof f['value'] === 'string' ? [f['value']] : f['value'];
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) return 'fieldsFilter value must be a string or an array of strings';
      if (f['exactMatch'] !== undefined && f['exactMatch'] !== true) return 'the emulator supports only exactMatch filters';
      for (const key of Object.keys(f)) if (!['field', 'value', 'exactMatch'].includes(key)) return `fieldsFilter: unknown field "${key}"`;
      filters.push({ field: f['field'], values: values as string[] });
    }
    query.fieldsFilter = filters;
  }
  return query;
}

function matchesFilters(user: StoredUser, filters: SearchQuery['fieldsFilter']): boolean {
  if (!filters) return true;
  return filters.every(({ field, values }) => {
    const value = (user as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string') return false;
    return field === 'email' ? values.some((v) => v.toLowerCase() === value.toLowerCase()) : values.includes(value);
  });
}

/** Runs a search: the page of users and the total number of matches. */
export function searchUsers(store: UserStore, query: SearchQuery): { users: StoredUser[]; total: number } {
  let subs: readonly string[];
  if (query.terms) {
    // Terms resolve through the sub map and the email index, never a scan.
    const found = new Set<string>();
    for (const term of query.terms) {
      if (store.get(term)) found.add(term);
      const byEmail = store.findByEmail(term);
      if (byEmail) found.add(byEmail.sub);
    }
    subs = [...found].sort();
  } else {
    subs = store.subs();
  }
  if (query.fieldsFilter) subs = subs.filter((sub) => matchesFilters(store.get(sub)!, query.fieldsFilter));
  const total = subs.length;
  const users: StoredUser[] = [];
  for (let k = query.from; k < query.from + query.size && k < total; k++) {
    users.push(store.get(subs[query.descending ? total - 1 - k : k]!)!);
  }
  return { users, total };
}
