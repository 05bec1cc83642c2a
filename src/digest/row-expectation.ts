import type { LegacyRow, LegacyRows, LegacyTableRole } from '../legacy-reader.js';
import { rowDigest, rowIdentity } from './row-digest.js';

/**
 * What the newest logged change of one row says a read must return: the row with these column
 * values, or no row at all. "The read must not be older than the log" (docs/architecture.md step 4): a read
 * that disagrees may predate a commit that is not yet visible, and is retried instead of pushed.
 */
export interface RowExpectation {
  readonly role: LegacyTableRole;
  /** The row's key columns and their canonical values, so a newer change to the row replaces this one. */
  readonly identityColumns: readonly string[];
  readonly identity: string;
  /** `null`: the row must be absent (deleted, or moved to another user). */
  readonly columns: readonly string[] | null;
  readonly digest: string | null;
}

/** The rows of one role in a read. */
function rowsOf(read: LegacyRows, role: LegacyTableRole): readonly LegacyRow[] {
  switch (role) {
    case 'users':
      return read.user ? [read.user] : [];
    // Expectations of these roles come only from their own tables (a password or MFA column on the
    // users table is role `users`): never fall back to the users row, whose key may equal the
    // deleted row's key.
    case 'password':
      return read.password;
    case 'mfa':
      return read.mfa;
    case 'attributes':
      return read.attributes;
    case 'groups':
      return read.groups ?? [];
    case 'identities':
      return read.identities ?? [];
  }
}

/** The expectations a read fails, as `role:what` labels for the log line (never values). */
export function unmetExpectations(read: LegacyRows, expectations: Iterable<RowExpectation>): string[] {
  const unmet: string[] = [];
  for (const e of expectations) {
    const row = rowsOf(read, e.role).find((r) => rowIdentity(r, e.identityColumns) === e.identity);
    if (e.columns === null) {
      if (row) unmet.push(`${e.role}:deleted`);
    } else if (!row) {
      unmet.push(`${e.role}:missing`);
    } else if (rowDigest(row, e.columns) !== e.digest) {
      unmet.push(`${e.role}:changed`);
    }
  }
  return unmet;
}
