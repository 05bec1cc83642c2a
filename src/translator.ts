import type { LegacyTableRole } from './legacy-reader.js';
import type { RowExpectation } from './digest/row-expectation.js';
import { canonicalValue, keyText, rowDigest, rowIdentity } from './digest/row-digest.js';
import { matchesFilter, type RowFilter } from './row-filter.js';
import type { RowChange, RowImage } from './source.js';

/** Which columns of a table matter: a change touching none of them is dropped. */
export type WatchedColumns =
  | { readonly only: ReadonlySet<string> }
  /** Every column but these (used when a mapping module may read any column). */
  | { readonly except: ReadonlySet<string> };

/** One configured table as the translator sees it. */
export interface WatchedTable {
  readonly role: LegacyTableRole;
  /** The table as the source names it in {@link RowChange.table}. */
  readonly table: string;
  /** The column holding the legacy user key: the key itself on the users table, the foreign key elsewhere. */
  readonly userKey: string;
  readonly watched: WatchedColumns;
  /** Attributes table only: the name column and the names whose changes never dirty a user. */
  readonly nameColumn?: string;
  readonly ignoreNames?: ReadonlySet<string>;
  /**
   * Only rows matching this belong to the sync (`filter:`); its columns must be watched. A row
   * that moves out of it reads as gone for its user, one that moves in as new.
   */
  readonly filter?: RowFilter;
}

/** A user made dirty by a row change, with what a read of that row must show. */
export interface DirtyMark {
  readonly key: string;
  readonly expectation: RowExpectation | null;
  /**
   * The user's root row was deleted. If a read still finds the user, the key was re-used by a new
   * user, who must get nothing of the deleted one's (cidaas keeps fields a push leaves out).
   */
  readonly rootDeleted?: boolean;
}

/** What the translator made of a change it did not turn into dirty users, for metrics and logs. */
export type DropReason = 'unwatched-table' | 'unwatched-columns' | 'ignored-name' | 'no-user-key' | 'filtered';

export type Translation = { readonly marks: readonly DirtyMark[] } | { readonly dropped: DropReason };

function isWatched(watched: WatchedColumns, column: string): boolean {
  return 'only' in watched ? watched.only.has(column) : !watched.except.has(column);
}

/** The watched columns an image carries, in a stable order. */
function carriedColumns(t: WatchedTable, image: RowImage): string[] {
  return Object.keys(image)
    .filter((c) => image[c] !== undefined && (isWatched(t.watched, c) || (t.filter !== undefined && c in t.filter)))
    .sort();
}

/**
 * True when `before` carries every watched column `after` carries, with the same values: the
 * change touched only unwatched columns (such as `last_login_at`). Only decidable with a complete
 * old image (MySQL FULL row image, PostgreSQL REPLICA IDENTITY FULL); otherwise the push is
 * suppressed later by the fingerprints.
 */
function touchesNothingWatched(t: WatchedTable, before: RowImage | null, after: RowImage): boolean {
  if (!before) return false;
  for (const c of carriedColumns(t, after)) {
    if (before[c] === undefined || canonicalValue(before[c]) !== canonicalValue(after[c])) return false;
  }
  // A watched column the new image lacks but the old one has (TOAST aside) means we cannot tell.
  for (const c of carriedColumns(t, before)) if (after[c] === undefined) return false;
  return true;
}

function presentExpectation(t: WatchedTable, change: RowChange, image: RowImage): RowExpectation | null {
  const identity = rowIdentity(image, change.keyColumns);
  if (identity === null) return null;
  const columns = carriedColumns(t, image);
  return { role: t.role, identityColumns: change.keyColumns, identity, columns, digest: rowDigest(image, columns) };
}

function absentExpectation(t: WatchedTable, change: RowChange, image: RowImage): RowExpectation | null {
  const identity = rowIdentity(image, change.keyColumns);
  if (identity === null) return null;
  return { role: t.role, identityColumns: change.keyColumns, identity, columns: null, digest: null };
}

/**
 * Turns row changes on the configured tables into dirty users (docs/architecture.md step 2). Pure: the same
 * change always gives the same marks.
 */
export class Translator {
  /** One table may serve several roles, told apart by their filters (Keycloak's `credential`: password and OTP rows). */
  readonly #byTable: Map<string, WatchedTable[]>;

  constructor(tables: readonly WatchedTable[]) {
    this.#byTable = new Map();
    for (const t of tables) {
      const list = this.#byTable.get(t.table);
      if (list) list.push(t);
      else this.#byTable.set(t.table, [t]);
    }
  }

  /** The configured tables, for the source adapter's filter. */
  get tables(): readonly string[] {
    return [...this.#byTable.keys()];
  }

  /** The role of a table (the first configured), or undefined when it is not configured. */
  roleOf(table: string): LegacyTableRole | undefined {
    return this.#byTable.get(table)?.[0]?.role;
  }

  translate(change: RowChange): Translation {
    const tables = this.#byTable.get(change.table);
    if (!tables) return { dropped: 'unwatched-table' };
    if (tables.length === 1) return this.#translateFor(tables[0]!, change);
    const marks: DirtyMark[] = [];
    let dropped: DropReason | null = null;
    for (const t of tables) {
      const r = this.#translateFor(t, change);
      if ('marks' in r) marks.push(...r.marks);
      else dropped ??= r.dropped;
    }
    return marks.length ? { marks } : { dropped: dropped ?? 'filtered' };
  }

  #translateFor(t: WatchedTable, change: RowChange): Translation {
    if (t.nameColumn && t.ignoreNames) {
      const name = change.after?.[t.nameColumn] ?? change.before?.[t.nameColumn];
      const beforeName = change.before?.[t.nameColumn];
      const ignored = (n: unknown) => typeof n === 'string' && t.ignoreNames!.has(n);
      if (ignored(name) && (beforeName === undefined || ignored(beforeName))) return { dropped: 'ignored-name' };
    }
    const inAfter = change.after ? matchesFilter(t.filter, change.after) : false;
    // No old image (an insert, or an update without one): only the new row can tell.
    const inBefore = change.before ? matchesFilter(t.filter, change.before) : change.op === 'insert' ? false : null;
    if (inAfter === false && inBefore === false) return { dropped: 'filtered' };
    const marks: DirtyMark[] = [];
    const newKey = change.after ? keyText(change.after[t.userKey]) : null;
    const oldKey = change.before ? keyText(change.before[t.userKey]) : null;

    if (change.op === 'delete') {
      if (!change.before || oldKey === null) return { dropped: 'no-user-key' };
      marks.push({ key: oldKey, expectation: absentExpectation(t, change, change.before), ...(t.role === 'users' ? { rootDeleted: true } : {}) });
      return { marks };
    }
    const after = change.after!;
    if (change.op === 'update' && change.before && touchesNothingWatched(t, change.before, after)) {
      return { dropped: 'unwatched-columns' };
    }
    const key = newKey ?? oldKey;
    if (key === null) return { dropped: 'no-user-key' };
    // A row that left the filter is gone for the filtered read: expect it absent (a delete when it is the root row).
    const expectation = inAfter === false ? absentExpectation(t, change, after) : inAfter === null ? null : presentExpectation(t, change, after);
    marks.push({ key, expectation });
    // The row moved to another user (or the key itself changed): the old owner lost it.
    // The old owner's read selects by its own key, so the row must be absent from it.
    if (oldKey !== null && oldKey !== key && change.before) {
      marks.push({ key: oldKey, expectation: absentExpectation(t, change, change.before), ...(t.role === 'users' ? { rootDeleted: true } : {}) });
    }
    return { marks };
  }
}
