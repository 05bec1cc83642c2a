import type { SyncError } from '../../src/errors.js';
import type { BinlogPosition } from './binlog-position.js';
import { compareBinlogFiles, formatMariadbGtid, parseMariadbGtidPosition, sameMariadbGtidPosition } from './binlog-position.js';
import { positionLost } from './binlog-errors.js';
import type { BinlogFile } from './mysql-server.js';

/** The queries {@link planResume} needs (MysqlServer answers them). */
export interface ResumeQueries {
  binaryLogs(): Promise<BinlogFile[]>;
  /** `BINLOG_GTID_POS(file, offset)`: null when the file is not there, the offset is not an event's start in it, or there is no GTID there. */
  gtidAt(file: string, offset: number): Promise<string | null>;
  gtidBinlogState(): Promise<string>;
}

/** How the stream resumes from a checkpoint. */
export type BinlogResume =
  /** From the file and offset (the GTID part, when there is one, names the same point here). */
  | { readonly by: 'position'; readonly from: BinlogPosition }
  /** From the GTID position (`@slave_connect_state`): the file and offset are not this server's. */
  | { readonly by: 'gtid'; readonly from: BinlogPosition; readonly reason: string };

/**
 * Decides how to resume from `p`, or throws SOURCE_POSITION_LOST; never picks a start that could
 * skip a transaction.
 *
 * MariaDB, checkpoint with a GTID position:
 * 1. By file and offset when `BINLOG_GTID_POS(file, offset)` on this server gives exactly the
 *    checkpoint's GTID position: the file is here, the offset is an event's start in it, and it
 *    is the same point (not a same-named file of another server).
 * 2. Otherwise by GTID, when this server can stream from it: every domain of the checkpoint is in
 *    its `@@gtid_binlog_state` with a sequence number at or above ours (a server behind us, or
 *    one after RESET MASTER, does not qualify), and its oldest binlog starts at or before our
 *    GTID in every such domain (nothing after it was purged). The server checks the same again
 *    when the stream starts (and that our GTID is in its binlog, not a diverged history): a
 *    refusal is error 1236, SOURCE_POSITION_LOST too. This is the failover case: another server
 *    of the replication topology, with its own binlog file names and offsets and the same GTIDs;
 *    also a purged checkpoint file whose transactions after the checkpoint are all still kept.
 * 3. Otherwise SOURCE_POSITION_LOST.
 *
 * MySQL, or a checkpoint without a GTID: by file and offset when the file is here and long enough,
 * else SOURCE_POSITION_LOST. (MySQL positions carry the last transaction's `uuid:n`, not the
 * executed GTID set a GTID start needs.)
 */
export async function planResume(q: ResumeQueries, p: BinlogPosition, mariadb: boolean): Promise<BinlogResume> {
  const ours = mariadb ? parseMariadbGtidPosition(p.gtid) : null;
  if (ours === null) {
    assertRetained(await q.binaryLogs(), p);
    return { by: 'position', from: mariadb && p.gtid === null ? { ...p, gtid: await q.gtidAt(p.file, p.offset) } : p };
  }
  const here = await q.gtidAt(p.file, p.offset);
  if (here !== null && sameMariadbGtidPosition(here, p.gtid)) return { by: 'position', from: p };

  const files = await q.binaryLogs();
  const reason = here !== null
    ? `${p.file}:${p.offset} is GTID position ${here} on this server, not the checkpoint's ${p.gtid!}`
    : files.some((f) => f.name === p.file)
      ? `offset ${p.offset} of ${p.file} is not an event's start on this server (or has no GTID position)`
      : `binlog file ${p.file} is not on this server (oldest binlog now: ${files[0]?.name ?? 'none'})`;
  const cannot = (why: string): SyncError => positionLost(`cannot resume from the checkpoint ${p.file}:${p.offset}@${p.gtid!}: ${reason}, and ${why}`);

  const state = parseMariadbGtidPosition(await q.gtidBinlogState()) ?? new Map();
  for (const g of ours.values()) {
    const last = state.get(g.domainId);
    if (!last) throw cannot(`GTID domain ${g.domainId} is not in this server's binlog (a server of another replication topology, or RESET MASTER?)`);
    if (last.seqNo < g.seqNo) {
      throw cannot(`this server's binlog ends at GTID ${formatMariadbGtid(last)}, before the checkpoint's ${formatMariadbGtid(g)} (a server behind the one that wrote the checkpoint, or RESET MASTER?)`);
    }
  }
  const oldest = files[0];
  const start = oldest ? parseMariadbGtidPosition(await q.gtidAt(oldest.name, 4)) : null;
  for (const g of ours.values()) {
    const before = start?.get(g.domainId);
    if (before && before.seqNo > g.seqNo) {
      throw cannot(`the transactions after GTID ${formatMariadbGtid(g)} were purged too (the oldest binlog, ${oldest!.name}, starts after ${formatMariadbGtid(before)})`);
    }
  }
  return { by: 'gtid', from: p, reason };
}

/** Throws SOURCE_POSITION_LOST when `files` (`SHOW BINARY LOGS`) cannot stream from `p` (file purged or not here, offset past its end). */
export function assertRetained(files: readonly BinlogFile[], p: BinlogPosition): void {
  const file = files.find((f) => f.name === p.file);
  if (!file) {
    const oldest = files[0]?.name ?? 'none';
    const why = files[0] && compareBinlogFiles(p.file, files[0].name) < 0 ? 'has been purged' : 'is not on this server';
    throw positionLost(`binlog file ${p.file} of the checkpoint ${why} (oldest binlog now: ${oldest})`);
  }
  if (p.offset > file.size) {
    throw positionLost(`the checkpoint is at offset ${p.offset} of ${p.file}, but the file has only ${file.size} bytes (binlog lost in a crash, or another server)`);
  }
}
