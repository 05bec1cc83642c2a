/**
 * What `cidaas-sync check` reports: one item per prerequisite (a server setting, a grant, a
 * publication, a scope, a column), each with what was found and, when it is not met, the SQL or
 * configuration line that fixes it. Source adapters (`adapters/postgres/postgres-preflight.ts`,
 * `adapters/mysql/mysql-preflight.ts`), the cidaas check and the mapping check all return these.
 */

/** One prerequisite and whether it is met. */
export interface PreflightItem {
  /** What is checked, short: `wal_level`, `publication "cidaas_sync"`, `scope cidaas:bulk_user_create`. */
  readonly name: string;
  /** True when the prerequisite is met (a warning-level item may be false without failing `check`). */
  readonly ok: boolean;
  /** What was found: the setting's value, the missing table, the error cidaas answered. Never a secret. */
  readonly detail: string;
  /** When not ok: the SQL to run or the configuration line to write, for a human to apply. */
  readonly fix?: string;
  /**
   * `error` (the default): `check` fails (exit 3) when the item is not ok. `warning`: reported, but
   * the sidecar works without it (a scope only `verify` needs, a publication covering extra tables).
   */
  readonly severity?: 'error' | 'warning';
  /**
   * Statements `check --fix` may run with the configured credentials to meet the prerequisite
   * (CREATE PUBLICATION, ALTER TABLE ... REPLICA IDENTITY FULL, creating the slot). Absent when
   * only a human can fix it (a restart, a grant by a superuser). Not part of `--json` output.
   */
  readonly repair?: readonly string[];
}

/** The items of one area: the source database, cidaas, the mapping. */
export interface PreflightSection {
  /** `source (postgres)`, `cidaas`, `mapping`. */
  readonly title: string;
  readonly items: readonly PreflightItem[];
}

/** What `check --fix` did for one item. */
export interface RepairOutcome {
  /** The item's name. */
  readonly item: string;
  /** The statement run, or what a human must do. */
  readonly action: string;
  /** True when the statement ran; false when it failed or was not tried. */
  readonly done: boolean;
  /** False when cidaas-sync does not try it (a restart, a superuser grant, a configuration change): left to a person. */
  readonly attempted: boolean;
  /** The database's error, or why cidaas-sync cannot do it. */
  readonly detail?: string;
}

/** True when `item` makes `check` fail. */
export function isFailure(item: PreflightItem): boolean {
  return !item.ok && (item.severity ?? 'error') === 'error';
}

/** True when `item` is a warning that is not met. */
export function isWarning(item: PreflightItem): boolean {
  return !item.ok && item.severity === 'warning';
}

/** A passed item. */
export function pass(name: string, detail: string): PreflightItem {
  return { name, ok: true, detail };
}

/** A failed item with its fix. */
export function fail(name: string, detail: string, fix: string, repair?: readonly string[]): PreflightItem {
  return repair && repair.length ? { name, ok: false, detail, fix, repair } : { name, ok: false, detail, fix };
}

/** An unmet warning-level item with its fix. */
export function warn(name: string, detail: string, fix: string, repair?: readonly string[]): PreflightItem {
  return { ...fail(name, detail, fix, repair), severity: 'warning' };
}
