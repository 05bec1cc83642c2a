import type {
  AnyBinlogEvent, DeleteRowsEvent, HeartbeatEvent, MariadbGtidEvent, QueryEvent, RotateEvent, RowsEvent, UpdateRowsEvent, WriteRowsEvent,
} from '@vlasky/zongji';
import { MariadbGtidPosition } from '@vlasky/zongji';
import { SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { RowImage, SourceHandler } from '../../src/source.js';
import type { BinlogPosition } from './binlog-position.js';
import { compareBinlogPositions, formatBinlogPosition } from './binlog-position.js';
import { isStatementLoggedDml, parseTruncate } from './query-statement.js';

/** What {@link BinlogTransactions} needs to know about the configured tables. */
export interface BinlogTables {
  /** The configured tables, `database.table`. */
  readonly names: ReadonlySet<string>;
  /** Primary key columns per configured table. */
  readonly primaryKeys: ReadonlyMap<string, readonly string[]>;
}

/** An event group (transaction or standalone statement) being read. */
interface Group {
  /** The group's GTID (`0-1-17`, `uuid:5`), when the server gives one. */
  readonly gtid: string | null;
  /** Parsed MariaDB GTID, to extend the GTID position at the group's end. */
  readonly mariadbGtid: { domainId: number; serverId: number; seqNo: number | string } | null;
  /** True for a group that is one statement with no commit marker (DDL; MySQL until a `BEGIN` shows). */
  standalone: boolean;
  /** True once `begin` went to the handler (the group touched a configured table). */
  begun: boolean;
}

/** How often, at most, a transaction on other tables turns into `idle` while the stream is behind. */
const IDLE_EVERY_MS = 1000;

/**
 * Turns the binlog's event groups into the {@link SourceHandler}'s transactions, one event at a
 * time, in log order. A group opens at its GTID event (or `BEGIN`) and ends at its commit marker
 * (`Xid`, a `COMMIT`/`ROLLBACK`/`XA` query, an `XA PREPARE`) or, for a standalone group, at its one
 * statement. `begin` goes out lazily, at the first change on a configured table, so a group that
 * touched only other tables ends in `idle` instead of an empty transaction. Positions are those
 * group ends, never a place inside a group (zongji silently drops rows whose table map it has not
 * seen, so a resume from inside a transaction would lose them without an error).
 */
export class BinlogTransactions {
  readonly #handler: SourceHandler;
  readonly #tables: BinlogTables;
  readonly #log: Logger;
  #file: string;
  #last: BinlogPosition;
  #mariadbGtid: MariadbGtidPosition | null;
  #mysqlGtid: string | null = null;
  #group: Group | null = null;
  #lastIdleAt = 0;
  #rebaseOnRotate: boolean;

  /**
   * `from`: where the stream starts (a group end); on MariaDB (`mariadb`) its GTID part seeds the
   * GTID position, which each group's GTID then extends. `startedByGtid`: the stream was started
   * from `from.gtid`, so its file and offset are another server's; the server's first rotate names
   * where this stream is.
   */
  constructor(handler: SourceHandler, tables: BinlogTables, from: BinlogPosition, mariadb: boolean, logger: Logger, options: { startedByGtid?: boolean } = {}) {
    this.#rebaseOnRotate = options.startedByGtid ?? false;
    this.#handler = handler;
    this.#tables = tables;
    this.#log = logger;
    this.#file = from.file;
    this.#last = from;
    this.#mariadbGtid = mariadb ? MariadbGtidPosition.parse(from.gtid ?? '') : null;
    if (!mariadb) this.#mysqlGtid = from.gtid;
  }

  /** True between a delivered `begin` and its `commit`. */
  get inTransaction(): boolean {
    return this.#group?.begun ?? false;
  }

  /** The end of the last group read (or the start position). */
  get lastPosition(): BinlogPosition {
    return this.#last;
  }

  /**
   * The stream broke: forget the open group, and tell the handler when it had seen part of it. The
   * stream restarts from an earlier group end, so the group is delivered again from its begin.
   */
  async abort(): Promise<void> {
    const begun = this.inTransaction;
    this.#group = null;
    if (begun) await this.#handler.abort();
  }

  /** Applies one event. `caughtUp`: nothing else is waiting, so an `idle` costs nothing. */
  async apply(e: AnyBinlogEvent, caughtUp: boolean): Promise<void> {
    switch (e.getEventName()) {
      case 'rotate': {
        const r = e as RotateEvent;
        this.#file = r.binlogName;
        if (this.#rebaseOnRotate) {
          // Later heartbeats are compared with this stream's own file and offsets from now on.
          this.#rebaseOnRotate = false;
          this.#last = { file: r.binlogName, offset: Number(r.position), gtid: this.#last.gtid };
        }
        return;
      }
      case 'mariadbgtid': {
        const g = e as MariadbGtidEvent;
        this.#open({ gtid: g.gtid, mariadbGtid: { domainId: g.domainId, serverId: g.serverId, seqNo: g.seqNo }, standalone: g.standalone, begun: false });
        return;
      }
      case 'gtid':
      case 'anonymousgtid':
        this.#open({ gtid: e.getEventName() === 'gtid' ? (e.gtid ?? null) : null, mariadbGtid: null, standalone: true, begun: false });
        return;
      case 'query':
        await this.#query(e as QueryEvent, caughtUp);
        return;
      case 'xid':
      case 'xaprepare':
        await this.#close(e, caughtUp);
        return;
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        await this.#rows(e as WriteRowsEvent | UpdateRowsEvent | DeleteRowsEvent);
        return;
      case 'heartbeat':
        await this.#heartbeat(e as HeartbeatEvent);
        return;
      default:
        return; // tablemap and the informational events
    }
  }

  #open(group: Group): void {
    if (this.#group !== null) {
      // Every group the server writes ends with a commit marker or is one standalone statement; a
      // new group start inside one means an event we do not know ended it. Do not guess its end:
      // the next group end will carry the position.
      this.#log.warn('binlog group started before the previous one ended', { previous: this.#group.gtid, next: group.gtid });
      if (this.#group.begun) group.begun = true;
    }
    this.#group = group;
  }

  async #query(e: QueryEvent, caughtUp: boolean): Promise<void> {
    const sql = e.query.trim();
    const upper = sql.toUpperCase();
    if (upper === 'BEGIN' || upper.startsWith('XA START') || upper.startsWith('XA BEGIN')) {
      if (this.#group) this.#group.standalone = false;
      else this.#group = { gtid: null, mariadbGtid: null, standalone: false, begun: false };
      return;
    }
    if (upper === 'COMMIT' || upper === 'ROLLBACK' || upper.startsWith('XA COMMIT') || upper.startsWith('XA ROLLBACK')) {
      await this.#close(e, caughtUp);
      return;
    }
    if (isStatementLoggedDml(sql) && this.#mentionsConfiguredTable(sql)) {
      throw new SyncError('SOURCE_PROTOCOL', 'a change to a configured table was logged as a statement, not as rows: its rows are not in the binlog', {
        hint: "a session ran with binlog_format=STATEMENT or MIXED: set binlog_format=ROW for every session (SET GLOBAL binlog_format='ROW' and reconnect the applications), then run `cidaas-sync backfill --restart`",
      });
    }
    const truncate = parseTruncate(sql, e.schema ?? '');
    if (truncate.kind !== 'other') {
      const tables = truncate.kind === 'truncate'
        ? (this.#tables.names.has(truncate.table) ? [truncate.table] : [])
        : [...this.#tables.names];
      if (truncate.kind === 'unparsed') this.#log.warn('TRUNCATE statement not understood: reported for every configured table', { schema: e.schema });
      if (tables.length > 0) {
        await this.#begin(e);
        await this.#handler.truncate({ tables });
      }
    }
    // A statement outside a transaction is its own group (DDL, or any statement on a server that
    // writes no GTID events); inside one (SAVEPOINT, ...) it is part of it.
    if (this.#group === null || this.#group.standalone) await this.#close(e, caughtUp);
  }

  #mentionsConfiguredTable(sql: string): boolean {
    const lower = sql.toLowerCase();
    for (const t of this.#tables.names) {
      const name = t.slice(t.indexOf('.') + 1).toLowerCase();
      if (new RegExp(`(^|[^a-z0-9_$])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z0-9_$])`).test(lower)) return true;
    }
    return false;
  }

  async #rows(e: WriteRowsEvent | UpdateRowsEvent | DeleteRowsEvent): Promise<void> {
    const meta = (e as RowsEvent).tableMap[(e as RowsEvent).tableId];
    if (!meta) return;
    const table = `${meta.parentSchema}.${meta.tableName}`;
    if (!this.#tables.names.has(table)) return;
    const keyColumns = this.#tables.primaryKeys.get(table) ?? [];
    await this.#begin(e);
    const name = e.getEventName();
    if (name === 'updaterows') {
      for (const row of (e as UpdateRowsEvent).rows) {
        await this.#handler.change({ table, op: 'update', before: row.before as RowImage, after: row.after as RowImage, keyColumns });
      }
    } else if (name === 'writerows') {
      for (const row of (e as WriteRowsEvent).rows) await this.#handler.change({ table, op: 'insert', before: null, after: row as RowImage, keyColumns });
    } else {
      for (const row of (e as DeleteRowsEvent).rows) await this.#handler.change({ table, op: 'delete', before: row as RowImage, after: null, keyColumns });
    }
  }

  async #begin(e: AnyBinlogEvent): Promise<void> {
    // Row events always follow a GTID event or BEGIN; a server without either still gets one group.
    this.#group ??= { gtid: null, mariadbGtid: null, standalone: e.getEventName() === 'query', begun: false };
    if (this.#group.begun) return;
    this.#group.begun = true;
    await this.#handler.begin({ id: this.#group.gtid ?? formatBinlogPosition({ ...this.#last, gtid: null }) });
  }

  /** The group ends with event `e`: the position after it is where the next group starts. */
  async #close(e: AnyBinlogEvent, caughtUp: boolean): Promise<void> {
    const group = this.#group;
    this.#group = null;
    if (!(e.nextPosition > 0)) {
      throw new SyncError('SOURCE_PROTOCOL', `a ${e.getEventName()} event ends a transaction but carries no binlog position`, {
        hint: 'report this with the server version; the stream cannot checkpoint without it',
      });
    }
    if (group?.mariadbGtid && this.#mariadbGtid) this.#mariadbGtid.add(group.mariadbGtid);
    else if (group?.gtid && !group.mariadbGtid) this.#mysqlGtid = group.gtid;
    const position: BinlogPosition = { file: this.#file, offset: e.nextPosition, gtid: this.#gtidText() };
    this.#last = position;
    if (group?.begun) {
      await this.#handler.commit({ position: formatBinlogPosition(position), commitTime: e.timestamp > 0 ? new Date(e.timestamp) : null });
      return;
    }
    const now = Date.now();
    if (caughtUp || now - this.#lastIdleAt >= IDLE_EVERY_MS) {
      this.#lastIdleAt = now;
      await this.#handler.idle(formatBinlogPosition(position));
    }
  }

  async #heartbeat(e: HeartbeatEvent): Promise<void> {
    // The server sends one only when it has nothing more to send, i.e. at a group end; a group still
    // open here means events were filtered before us, so there is no safe position to report.
    if (this.#group !== null || !e.binlogName) return;
    const offset = e.nextPosition > 0 ? e.nextPosition : Number(e.position ?? 0);
    if (!(offset > 0)) return;
    const position: BinlogPosition = { file: e.binlogName, offset, gtid: this.#gtidText() };
    if (compareBinlogPositions(position, this.#last) < 0) return;
    this.#file = e.binlogName;
    this.#last = position;
    this.#lastIdleAt = Date.now();
    await this.#handler.idle(formatBinlogPosition(position));
  }

  #gtidText(): string | null {
    if (this.#mariadbGtid) return this.#mariadbGtid.isEmpty() ? null : this.#mariadbGtid.toString();
    return this.#mysqlGtid;
  }
}
