/**
 * Binlog positions as the engine stores them: `mariadb-bin.000042:0000001234@0-1-17`, the binlog
 * file, the offset just after a transaction's last event (its `Xid` or `COMMIT`/DDL `Query` event,
 * zero-padded to ten digits so that positions in one file also sort as text) and, after `@`, the
 * server's GTID position at that point (MariaDB `domain-server-seq[,...]`, MySQL `uuid:n`) where the
 * server has one. Streaming resumes from the file and offset: exact on the server that wrote them.
 * The GTID says the same thing in a form that survives a failover to another server of the
 * replication topology: on MariaDB the stream resumes from it when the file and offset cannot be
 * used (see binlog-resume.ts).
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

/**
 * Orders two positions. When both carry a MariaDB GTID position and those are ordered (every
 * domain's sequence number in one at or below the other's, and not all equal), the GTIDs decide:
 * they name the same point on every server of a replication topology, so a position read from the
 * server a failover moved us to sorts after the checkpoint written on the old one, whatever the two
 * servers' binlog file numbers. Otherwise (equal or unordered GTIDs, MySQL's single `uuid:n`, no
 * GTID) file, then offset. On one server both orders agree.
 */
export function compareBinlogPositions(a: BinlogPosition, b: BinlogPosition): number {
  const g = compareMariadbGtidPositions(a.gtid, b.gtid);
  if (g !== null && g !== 0) return g;
  const f = compareBinlogFiles(a.file, b.file);
  if (f !== 0) return f;
  return a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0;
}

/** One domain's entry of a MariaDB GTID position. */
export interface MariadbGtid {
  readonly domainId: number;
  readonly serverId: number;
  readonly seqNo: bigint;
}

const MARIADB_GTID = /^(\d{1,10})-(\d{1,10})-(\d{1,20})$/;

/**
 * A MariaDB GTID position (`0-1-17,1-2-5`, also `@@gtid_binlog_state` with several servers per
 * domain) as its entries per domain; for a domain listed more than once, the entry with the highest
 * sequence number. `null` for anything else (a MySQL `uuid:n`, an empty text).
 */
export function parseMariadbGtidPosition(text: string | null): Map<number, MariadbGtid> | null {
  if (text === null || text.trim() === '') return null;
  const out = new Map<number, MariadbGtid>();
  for (const part of text.split(',')) {
    const m = MARIADB_GTID.exec(part.trim());
    if (!m) return null;
    const gtid = { domainId: Number(m[1]), serverId: Number(m[2]), seqNo: BigInt(m[3]!) };
    const seen = out.get(gtid.domainId);
    if (!seen || seen.seqNo < gtid.seqNo) out.set(gtid.domainId, gtid);
  }
  return out;
}

/** The text of one domain's entry: `0-1-17`. */
export function formatMariadbGtid(g: MariadbGtid): string {
  return `${g.domainId}-${g.serverId}-${g.seqNo}`;
}

/** True when two MariaDB GTID positions have the same entry (server and sequence number) for every domain. */
export function sameMariadbGtidPosition(a: string | null, b: string | null): boolean {
  const x = parseMariadbGtidPosition(a), y = parseMariadbGtidPosition(b);
  if (x === null || y === null) return x === y && (a ?? '').trim() === (b ?? '').trim();
  if (x.size !== y.size) return false;
  for (const [d, g] of x) {
    const h = y.get(d);
    if (!h || h.serverId !== g.serverId || h.seqNo !== g.seqNo) return false;
  }
  return true;
}

/**
 * Orders two MariaDB GTID positions by their sequence numbers per domain (a domain one lacks counts
 * as before everything of it): -1 or 1 when one is at or below the other in every domain, 0 when
 * equal or unordered (one ahead in a domain, behind in another), `null` when either is not a
 * MariaDB GTID position.
 */
export function compareMariadbGtidPositions(a: string | null, b: string | null): number | null {
  const x = parseMariadbGtidPosition(a), y = parseMariadbGtidPosition(b);
  if (x === null || y === null) return null;
  let below = false, above = false;
  for (const d of new Set([...x.keys(), ...y.keys()])) {
    const s = x.get(d)?.seqNo ?? -1n, t = y.get(d)?.seqNo ?? -1n;
    if (s < t) below = true;
    else if (s > t) above = true;
  }
  return below === above ? 0 : below ? -1 : 1;
}
