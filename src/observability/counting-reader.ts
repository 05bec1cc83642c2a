import type { LegacyReader, LegacyRows } from '../legacy-reader.js';
import type { SyncMetrics } from './metrics.js';

/** The configured tables by role, as the counting reader labels its rows. */
export interface CountedTables {
  readonly users: { readonly table: string };
  readonly password?: { readonly table: string };
  readonly mfa?: { readonly table: string };
  readonly attributes?: { readonly table: string };
}

/**
 * A legacy reader that counts the rows it returns per configured table
 * (`cidaas_sync_legacy_rows_read_total{table}`): the per-table progress of the backfill and the
 * read load of the stream, for the status page and dashboards.
 */
export function countingReader(inner: LegacyReader, tables: CountedTables, metrics: SyncMetrics): LegacyReader {
  const count = (rows: Map<string, LegacyRows>): void => {
    let users = 0, password = 0, mfa = 0, attributes = 0;
    for (const r of rows.values()) {
      if (r.user !== null) users++;
      password += r.password.length;
      mfa += r.mfa.length;
      attributes += r.attributes.length;
    }
    metrics.rowsRead.inc({ table: tables.users.table }, users);
    if (tables.password) metrics.rowsRead.inc({ table: tables.password.table }, password);
    if (tables.mfa) metrics.rowsRead.inc({ table: tables.mfa.table }, mfa);
    if (tables.attributes) metrics.rowsRead.inc({ table: tables.attributes.table }, attributes);
  };
  return {
    readUsers: async (keys) => {
      const rows = await inner.readUsers(keys);
      count(rows);
      return rows;
    },
    pageKeys: (afterKey, limit) => inner.pageKeys(afterKey, limit),
    ...(inner.readPage ? {
      readPage: async (afterKey: string | null, limit: number) => {
        const rows = await inner.readPage!(afterKey, limit);
        count(rows);
        return rows;
      },
    } : {}),
    estimateUserCount: () => inner.estimateUserCount(),
    close: () => inner.close(),
  };
}
