import type { Logger } from './observability/logger.js';
import type { ExpectedTable } from './preflight/expected-columns.js';
import type { PreflightItem, RepairOutcome } from './preflight/preflight-item.js';
import type { Source } from './source.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * One database cidaas-sync can read from (PostgreSQL, MySQL/MariaDB): the factory for everything
 * database-specific, created from the `source` section of the configuration by the one lookup in
 * `src/source-adapter-for.ts`. The pipeline, the CLI commands and high availability talk to the
 * database only through this interface, its {@link Source} and its {@link SqlDialect}; none of them
 * asks which database it is. Free of driver types on purpose. Each database implements it once, in
 * `adapters/<db>/<db>-adapter.ts`.
 */
/** What {@link SourceAdapter.createSource} is given. */
export interface SourceCreateOptions {
  readonly tables: readonly string[];
  readonly logger: Logger;
  /**
   * High availability: runs just before every (re)connect of the log reader; a throw (the lease is
   * lost) stops the reader for good instead of connecting. A replica that lost its lease must not
   * open the log again: on MySQL/MariaDB its connection, with the shared server id, would cut off
   * the new holder's.
   */
  readonly beforeConnect?: () => void;
}

export interface SourceAdapter {
  /** A short name for logs, metrics and the `check` section title: `postgres`, `mysql`. */
  readonly kind: string;

  /**
   * The log reader for the engine, delivering changes on `tables` only (qualified as the
   * configuration names them). Every command that streams or reads positions creates one.
   */
  createSource(o: SourceCreateOptions): Source;

  /**
   * The dialect of the legacy reader: how the dispatcher, the backfill, verify and `preview` query
   * the legacy tables, with a pool of at most `maxConnections`.
   */
  createDialect(o: { readonly maxConnections: number }): SqlDialect;

  /**
   * Whether {@link preflight} needs the stored checkpoint (the binlog: is it still there?). `check`
   * opens the state store for it only then.
   */
  readonly preflightNeedsCheckpoint: boolean;

  /**
   * The source section of `cidaas-sync check`: server settings, grants, the configured tables and
   * columns, and whatever the log needs (publication and slot, binlog retention). Every statement
   * runs with a timeout; a failed item says what to run or configure.
   */
  preflight(context: SourcePreflightContext): Promise<PreflightItem[]>;

  /**
   * `check --fix`: runs the repair statements of the failed `items` the configured credentials may
   * run, and lists every other failed item as left to a person.
   */
  repair(items: readonly PreflightItem[], logger: Logger): Promise<RepairOutcome[]>;

  /**
   * Throws a usage error when another process reads the log now (PostgreSQL: the slot is active
   * for a walsender), so that `cutover` without high availability refuses to compete with `run`.
   */
  assertLogFree(): Promise<void>;

  /**
   * High availability: waits until no reader of the previous holder still holds the log (a
   * walsender that has not noticed its connection is gone), or until `keepWaiting` turns false.
   * Resolves at once where the server takes the log over by itself.
   */
  waitForLogFree(logger: Logger, keepWaiting: () => boolean): Promise<void>;

  /**
   * High availability: the id every replica must stream with (the MySQL/MariaDB `source.serverId`:
   * two ids would be two binlog readers at once), noted by the active replica for `check`; null
   * where the database has no such id.
   */
  readonly replicaServerId: string | null;

  /** `status`: who retains the log counted as "retained" (`by slot cidaas_sync`), or null to say nothing. */
  readonly retainedBy: string | null;

  /**
   * `cutover`, after the drain and verify: releases what the server keeps for us when `release`
   * is asked for (PostgreSQL `--drop-slot`: drops the slot; only when verify passed unless
   * `force`; `stopSource` first). Returns the lines for the operator (the final binlog position).
   * Throws when verify differed and the release was refused.
   */
  finish(o: SourceFinishOptions): Promise<string[]>;
}

/** What {@link SourceAdapter.preflight} checks against. */
export interface SourcePreflightContext {
  /** The configured tables and the columns read from each (see expected-columns.ts). */
  readonly tables: readonly ExpectedTable[];
  /** The stored checkpoint, when {@link SourceAdapter.preflightNeedsCheckpoint} and there is one. */
  readonly checkpoint: string | null;
  readonly logger: Logger;
}

/** What `cutover` tells {@link SourceAdapter.finish}. */
export interface SourceFinishOptions {
  /** The checkpoint the drain ended at. */
  readonly finalPosition: string;
  /** `--drop-slot`: release the server-side position for good. */
  readonly release: boolean;
  /** Whether verify found both sides equal. */
  readonly verified: boolean;
  /** `--force`: release even when verify differed. */
  readonly force: boolean;
  /** Where the verify report was written, for the refusal's message. */
  readonly reportPath: string;
  /** Stops the pipeline's source, so that nothing streams from what is released. */
  readonly stopSource: () => Promise<void>;
}
