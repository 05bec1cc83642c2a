import type { Config } from '../../config/config-schema.js';
import { rowFilter, type RowFilter } from '../row-filter.js';
import type { ReaderTable, ReaderTables } from '../sql-legacy-reader.js';
import type { WatchedTable } from '../translator.js';

/** `schema.table` as the sources name tables in their changes. */
export function qualifiedName(t: { readonly schema: string; readonly name: string }): string {
  return `${t.schema}.${t.name}`;
}

/** The tables the dispatcher reads, from the configuration. */
export function readerTables(c: Config): ReaderTables {
  const filter = (f: RowFilter | undefined) => (f ? { filter: f } : {});
  return {
    users: {
      table: qualifiedName(c.users.table), userKey: c.users.key, userKeyConfigKey: 'users.key', ...filter(rowFilter(c.users.filter)),
      ...(c.users.keyUniqueByFilter ? { keyUniqueByFilter: true } : {}),
    },
    ...(c.password?.table && c.password.userKey ? { password: { table: qualifiedName(c.password.table), userKey: c.password.userKey, ...filter(rowFilter(c.password.filter)) } } : {}),
    ...(c.mfa?.table && c.mfa.userKey ? { mfa: { table: qualifiedName(c.mfa.table), userKey: c.mfa.userKey, ...filter(rowFilter(c.mfa.filter)) } } : {}),
    ...(c.attributes ? { attributes: { table: qualifiedName(c.attributes.table), userKey: c.attributes.userKey, ...filter(rowFilter(c.attributes.filter)) } } : {}),
    ...(c.users.groups ? { groups: groupsReaderTable(c.users.groups) } : {}),
    ...(c.users.identities ? { identities: { table: qualifiedName(c.users.identities.table), userKey: c.users.identities.userKey,
      userKeyConfigKey: 'users.identities.userKey', ...filter(rowFilter(c.users.identities.filter)) } } : {}),
  };
}

/** `users.groups` as the reader reads it: the membership rows, with the looked-up name when configured. */
function groupsReaderTable(g: NonNullable<Config['users']['groups']>): ReaderTable {
  const f = rowFilter(g.filter);
  return {
    table: qualifiedName(g.table), userKey: g.userKey, userKeyConfigKey: 'users.groups.userKey', ...(f ? { filter: f } : {}),
    ...(g.lookup ? { lookup: { table: qualifiedName(g.lookup.table), key: g.lookup.key, name: g.lookup.name, on: g.group } } : {}),
  };
}

/** The table's `filter:`, for the translator (its columns count as watched there). */
function withFilter(written: Parameters<typeof rowFilter>[0]): { filter?: RowFilter } {
  const f = rowFilter(written);
  return f ? { filter: f } : {};
}

function defined(...xs: (string | undefined)[]): string[] {
  return xs.filter((x): x is string => typeof x === 'string');
}

/**
 * The tables the translator watches and the columns that matter in each. With a mapping module,
 * which may read any column, every column of the users table but `ignoreColumns` matters.
 */
export function watchedTables(c: Config): WatchedTable[] {
  const anyColumn = c.mapping !== undefined;
  const pw = c.password;
  const mfa = c.mfa;
  const pwCols = pw ? defined(pw.hash, pw.salt, pw.iterations, pw.parameters, typeof pw.algorithm === 'object' ? pw.algorithm.column : undefined) : [];
  const mfaCols = mfa ? defined(mfa.secret, mfa.enabled, mfa.parameters) : [];
  const userCols = new Set<string>([
    c.users.key,
    ...Object.values(c.users.fields).filter((x): x is string => typeof x === 'string'),
    ...Object.values(c.users.customFields),
    ...defined(c.users.softDelete?.column),
    ...(mfa?.enabledWhen && 'column' in mfa.enabledWhen ? [mfa.enabledWhen.column] : []),
    ...(pw && !pw.table ? pwCols : []),
    ...(mfa && !mfa.table ? mfaCols : []),
  ]);
  const tables: WatchedTable[] = [{
    role: 'users', table: qualifiedName(c.users.table), userKey: c.users.key,
    watched: anyColumn ? { except: new Set(c.users.ignoreColumns) } : { only: userCols },
    ...withFilter(c.users.filter),
  }];
  if (pw?.table && pw.userKey) {
    tables.push({ role: 'password', table: qualifiedName(pw.table), userKey: pw.userKey,
      watched: anyColumn ? { except: new Set() } : { only: new Set([pw.userKey, ...pwCols]) }, ...withFilter(pw.filter) });
  }
  if (mfa?.table && mfa.userKey) {
    tables.push({ role: 'mfa', table: qualifiedName(mfa.table), userKey: mfa.userKey,
      watched: anyColumn ? { except: new Set() } : { only: new Set([mfa.userKey, ...mfaCols]) }, ...withFilter(mfa.filter) });
  }
  const a = c.attributes;
  if (a) {
    tables.push({ role: 'attributes', table: qualifiedName(a.table), userKey: a.userKey,
      watched: { only: new Set([a.userKey, a.name, a.value]) }, nameColumn: a.name, ignoreNames: new Set(a.ignoreNames), ...withFilter(a.filter) });
  }
  const g = c.users.groups;
  if (g) {
    // One row per membership: an insert or delete of a row re-pushes its user.
    tables.push({ role: 'groups', table: qualifiedName(g.table), userKey: g.userKey,
      watched: { only: new Set([g.userKey, g.group]) }, ...withFilter(g.filter) });
  }
  const id = c.users.identities;
  if (id) {
    tables.push({ role: 'identities', table: qualifiedName(id.table), userKey: id.userKey,
      watched: { only: new Set([id.userKey, id.provider, id.providerUserId]) }, ...withFilter(id.filter) });
  }
  return tables;
}
