import { ExitCode, SyncError } from '../../src/errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import type { Source, SourceHandler, SourceLag } from '../../src/source.js';
import type { BinlogPosition } from './binlog-position.js';
import { compareBinlogFiles, compareBinlogPositions, formatBinlogPosition, parseBinlogPosition } from './binlog-position.js';
import type { BinlogTables } from './binlog-transactions.js';
import type { HeartbeatOptions, HeartbeatWriter } from '../heartbeat-writer.js';
import { mysqlHeartbeat } from './mysql-heartbeat.js';
import { splitMysqlTable } from './mysql-connection-options.js';
import { MysqlServer } from './mysql-server.js';
import type { MysqlServerInfo } from './mysql-server.js';
import { MysqlStream } from './mysql-stream.js';
import { stopZongji } from './zongji-control.js';

export interface MysqlSourceOptions {
  /** Connection URL of a user with REPLICATION SLAVE, REPLICATION CLIENT (BINLOG MONITOR) and SELECT. */
  readonly url: Secret;
  /** Our replica id: unique among the server's replicas (a second stream with it disconnects the first). */
  readonly serverId: number;
  /** The configured tables, `database.table`: changes on others are not delivered. */
  readonly tables: readonly string[];
  readonly logger: Logger;
  /** How often the server sends a heartbeat while it has nothing else to send (default 5 s). */
  readonly heartbeatMs?: number;
  /** Events read ahead of the handler before the socket is paused (default 500). */
  readonly maxQueuedEvents?: number;
  /** Reconnect backoff bounds (default 500 ms .. 30 s). */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Runs before every (re)connect; a throw (high availability: the lease is lost) stops the stream instead. */
  readonly beforeConnect?: () => void;
  /**
   * `source.heartbeat` with a table: write to it every interval while streaming, so that the
   * position moves on through a transaction of our own when nothing else writes (see
   * mysql-heartbeat.ts for the table's DDL and grant).
   */
  readonly heartbeat?: HeartbeatOptions;
}

/**
 * The MySQL/MariaDB binlog through @vlasky/zongji 0.9.0, used with the care its traps require:
 * only transaction-end positions leave the adapter, `net_write_timeout` and the heartbeat period
 * are set on the dump connection at `ready`, and a new zongji instance streams from the last
 * acknowledged position after every failure (the reconnect loop of {@link MysqlStream}). The
 * binlog has no server-side acknowledgement: the acknowledged position lives here, the engine's
 * checkpoint holds it across restarts.
 */
export class MysqlSource implements Source {
  readonly kind = 'mysql';
  readonly #o: MysqlSourceOptions;
  readonly #log: Logger;
  readonly #server: MysqlServer;
  readonly #stream: MysqlStream;
  #info: MysqlServerInfo | null = null;
  #tables: BinlogTables;
  #acked: BinlogPosition | null = null;
  readonly #heartbeat: HeartbeatWriter | null;

  constructor(options: MysqlSourceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'mysql-source' });
    this.#server = new MysqlServer(options.url);
    for (const t of options.tables) splitMysqlTable(t);
    this.#tables = { names: new Set(options.tables), primaryKeys: new Map() };
    this.#heartbeat = options.heartbeat ? mysqlHeartbeat(options.url, options.heartbeat, this.#log) : null;
    this.#stream = new MysqlStream({
      url: options.url, serverId: options.serverId, tables: options.tables, server: this.#server, logger: this.#log,
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.maxQueuedEvents !== undefined ? { maxQueuedEvents: options.maxQueuedEvents } : {}),
      ...(options.reconnectMinMs !== undefined ? { reconnectMinMs: options.reconnectMinMs } : {}),
      ...(options.reconnectMaxMs !== undefined ? { reconnectMaxMs: options.reconnectMaxMs } : {}),
      ...(options.beforeConnect ? { beforeConnect: options.beforeConnect } : {}),
      acknowledged: () => this.#acked!,
      onHalt: () => void this.#heartbeat?.stop(),
    });
  }

  comparePositions(a: string, b: string): number {
    return compareBinlogPositions(parseBinlogPosition(a), parseBinlogPosition(b));
  }

  /** Heartbeat rows written so far (0 without `heartbeat`). */
  get heartbeats(): number {
    return this.#heartbeat?.beats ?? 0;
  }

  /** Whether the dump socket is paused and how many events wait for the handler (for metrics and tests). */
  get flow(): { readonly paused: boolean; readonly queued: number } {
    return this.#stream.flow;
  }

  async prepare(): Promise<void> {
    const info = await this.#server.info();
    this.#info = info;
    const wrong: string[] = [];
    if (!info.logBin) wrong.push('log_bin is OFF');
    if (info.binlogFormat !== 'ROW') wrong.push(`binlog_format is ${info.binlogFormat}`);
    if (info.binlogRowImage !== 'FULL') wrong.push(`binlog_row_image is ${info.binlogRowImage}`);
    if (wrong.length) {
      throw new SyncError('SOURCE_PREFLIGHT', `the binlog cannot be streamed: ${wrong.join(', ')}`, {
        exitCode: ExitCode.preflight, hint: 'run `cidaas-sync check` for the settings to change (log_bin, binlog_format=ROW, binlog_row_image=FULL)',
      });
    }
    if (info.binlogRowMetadata !== 'FULL') {
      this.#log.warn('binlog_row_metadata is not FULL: a row logged before a column change may be skipped on replay', { binlogRowMetadata: info.binlogRowMetadata });
    }
    const keys = await this.#server.primaryKeys(this.#o.tables);
    for (const t of this.#o.tables) if (!keys.has(t)) this.#log.warn('table has no primary key (or is not visible to the user)', { table: t });
    this.#tables = { names: this.#tables.names, primaryKeys: keys };
  }

  async currentPosition(): Promise<string> {
    const info = this.#info ?? (this.#info = await this.#server.info());
    return formatBinlogPosition(await this.#server.currentPosition(info.mariadb));
  }

  async start(from: string | null, handler: SourceHandler, onError: (err: Error) => void): Promise<void> {
    if (!this.#info) await this.prepare();
    // The binlog keeps nothing for us: without a checkpoint, stream from the end of the log.
    this.#acked = parseBinlogPosition(from ?? await this.currentPosition());
    await this.#stream.start(handler, onError, this.#info!, this.#tables);
    this.#heartbeat?.start();
  }

  async acknowledge(position: string): Promise<void> {
    const p = parseBinlogPosition(position);
    if (this.#acked === null || compareBinlogPositions(p, this.#acked) > 0) this.#acked = p;
  }

  /** Bytes from the acknowledged position to the end of the log; retained: the binlog files from ours on. */
  async lag(): Promise<SourceLag> {
    const acked = this.#acked;
    if (!acked) return { bytes: null, retainedBytes: null };
    const files = await this.#server.binaryLogs();
    let bytes = 0, retained = 0, found = false;
    for (const f of files) {
      const c = compareBinlogFiles(f.name, acked.file);
      if (c < 0) continue;
      if (c === 0) found = true;
      bytes += c === 0 ? Math.max(0, f.size - acked.offset) : f.size;
      retained += f.size;
    }
    return { bytes: found ? bytes : null, retainedBytes: retained };
  }

  async stop(): Promise<void> {
    const z = this.#stream.halt();
    await this.#heartbeat?.stop();
    if (z) await stopZongji(z);
    await this.#server.close();
  }
}
