/**
 * Binlog positions as the engine stores them: `mariadb-bin.000042:0000001234@0-1-17`, the binlog
 * file, the offset just after a transaction's last event (its `Xid` or `COMMIT`/DDL `Query` event,
 * zero-padded to ten digits so that positions in one file also sort as text) and, after `@`, the
 * server's GTID position at that point (MariaDB `domain-server-seq[,...]`, MySQL `uuid:n`) where the
 * server has one. Streaming resumes from the file and offset: exact on the server that wrote them.
 * The GTID says the same thing in a form that survives a failover to another server of the
 * replication topology.
 */

/** A transaction end in the binlog. */
export interface BinlogPosition {
  /** The binlog file name as `SHOW BINARY LOGS` lists it (`mariadb-bin.000042`). */
  readonly file: string;
  /** Byte offset in that file where the next transaction starts. */
  readonly offset: number;
  /** The GTID position at this point, or `null` when unknown (no GTIDs on the server). */
  readonly gtid: string | null;
}

const POSITION = /^([^:@\s]+):(\d{1,20})(?:@([^\s]+))?$/;

/** Parses a serialised position; throws on anything else (a PostgreSQL LSN in the checkpoint, say). */
export function parseBinlogPosition(text: string): BinlogPosition {
  const m = POSITION.exec(text);
  if (!m) throw new Error(`not a binlog position (file:offset[@gtid]): ${text}`);
  return { file: m[1]!, offset: Number(m[2]), gtid: m[3] ?? null };
}

/** Serialises a position: `file:offset` with the offset padded to ten digits, then `@gtid` when known. */
export function formatBinlogPosition(p: BinlogPosition): string {
  const base = `${p.file}:${String(p.offset).padStart(10, '0')}`;
  return p.gtid ? `${base}@${p.gtid}` : base;
}

/** The sequence number of a binlog file (`mariadb-bin.000042` -> 42); -1 without a numeric extension. */
export function binlogFileSequence(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  return m ? Number(m[1]) : -1;
}

/** The name of a binlog file without its sequence number (`mariadb-bin`). */
function binlogBaseName(file: string): string {
  return file.replace(/\.\d+$/, '');
}

/** Orders two binlog files: by sequence number (the server counts up), then by name. */
export function compareBinlogFiles(a: string, b: string): number {
  const d = binlogFileSequence(a) - binlogFileSequence(b);
  if (d !== 0) return d < 0 ? -1 : 1;
  const x = binlogBaseName(a), y = binlogBaseName(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders two positions by file, then offset. The GTID part does not take part: it follows from them. */
export function compareBinlogPositions(a: BinlogPosition, b: BinlogPosition): number {
  const f = compareBinlogFiles(a.file, b.file);
  if (f !== 0) return f;
  return a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0;
}
