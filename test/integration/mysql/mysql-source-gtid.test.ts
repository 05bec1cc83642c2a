import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { formatBinlogPosition, parseBinlogPosition } from '../../../adapters/mysql/binlog-position.js';
import type { BinlogPosition } from '../../../adapters/mysql/binlog-position.js';
import { SyncError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';
import { RecordingHandler } from './recording-handler.js';

const GTID_WARNING = 'resuming from the GTID position of the checkpoint';

describe('MysqlSource: resuming from the GTID of a checkpoint (MariaDB)', function () {
  this.timeout(60_000);
  let f: MysqlFixture;

  before(async () => {
    f = await createMysqlFixture('mysql_gtid');
  });

  after(async () => {
    await f?.close();
  });

  async function usersTable(): Promise<string> {
    const name = uniqueName('users');
    await f.exec(`CREATE TABLE ${name} (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL)`);
    return `${f.database}.${name}`;
  }

  async function insert(table: string, id: number): Promise<void> {
    await f.exec(`INSERT INTO ${table} VALUES (?, ?)`, [id, `u${id}@example.com`]);
  }

  async function binlogFiles(): Promise<string[]> {
    const [rows] = await (await f.root()).query<RowDataPacket[]>('SHOW BINARY LOGS');
    return rows.map((r) => String(r.Log_name));
  }

  async function gtidAt(p: BinlogPosition): Promise<string | null> {
    const [[r]] = await (await f.root()).query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS g', [p.file, p.offset]);
    return r?.g == null ? null : String(r.g);
  }

  /** Streams `table` from its current position and returns the commit position of a first transaction (id 1). */
  async function realCheckpoint(table: string): Promise<BinlogPosition> {
    const source = f.source([table]);
    const h = new RecordingHandler();
    await source.prepare();
    await source.start(await source.currentPosition(), h, () => undefined);
    await insert(table, 1);
    const [tx] = await h.waitForTransactions(1);
    await source.stop();
    return parseBinlogPosition(tx!.position);
  }

  function ids(h: RecordingHandler): number[][] {
    return h.transactions().map((t) => t.changes.map((c) => Number(c.after?.id)));
  }

  async function startError(from: string, table: string): Promise<SyncError> {
    const source = f.source([table]);
    await source.prepare();
    const err = await source.start(from, new RecordingHandler(), () => undefined).then(() => null, (e: unknown) => e);
    expect(err, 'start() to refuse the checkpoint').to.be.instanceOf(SyncError);
    return err as SyncError;
  }

  it("resumes from the GTID when the checkpoint's binlog file is not on this server, with exactly the transactions after it", async () => {
    const users = await usersTable();
    const real = await realCheckpoint(users);
    await insert(users, 2);
    await f.exec('FLUSH BINARY LOGS');
    await insert(users, 3);
    // The same point as written by another server of the topology: its own file name and offset.
    const foreign = formatBinlogPosition({ file: 'other-host-bin.000777', offset: 123_456, gtid: real.gtid });
    expect(await binlogFiles()).to.not.include('other-host-bin.000777');

    const logger = new MemoryLogger();
    const source = f.source([users], { logger });
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.prepare();
    await source.start(foreign, h, (e) => errors.push(e));
    const txs = await h.waitForTransactions(2);
    await insert(users, 4);
    await h.waitForTransactions(3);
    expect(ids(h)).to.deep.equal([[2], [3], [4]]);
    expect(errors).to.deep.equal([]);
    const warning = logger.lines.find((l) => l.message.startsWith(GTID_WARNING));
    expect(warning, 'a warning that the stream resumed by GTID').to.not.equal(undefined);
    expect(JSON.stringify(warning)).to.contain('other-host-bin.000777').and.to.contain('not on this server');

    // The positions it reports are this server's own, and later than the foreign checkpoint.
    const files = await binlogFiles();
    for (const t of h.transactions()) {
      const p = parseBinlogPosition(t.position);
      expect(files).to.include(p.file);
      expect(await gtidAt(p)).to.equal(p.gtid);
      expect(source.comparePositions(t.position, foreign)).to.equal(1);
    }
    // A restart from one of them resumes by file and offset again.
    await source.stop();
    const again = new MemoryLogger();
    const next = f.source([users], { logger: again });
    const h2 = new RecordingHandler();
    await next.start(txs[0]!.position, h2, () => undefined);
    await h2.waitForTransactions(2);
    expect(ids(h2)).to.deep.equal([[3], [4]]);
    expect(again.lines.some((l) => l.message.startsWith(GTID_WARNING))).to.equal(false);
  });

  it('reports idle positions of this server after a resume by GTID while nothing changes', async () => {
    const users = await usersTable();
    const real = await realCheckpoint(users);
    const foreign = formatBinlogPosition({ file: 'other-host-bin.000999', offset: 4, gtid: real.gtid });
    const source = f.source([users]);
    const h = new RecordingHandler();
    await source.prepare();
    await source.start(foreign, h, () => undefined);
    const files = await binlogFiles();
    await waitFor(() => h.positions().length >= 2, { message: 'idle positions from heartbeats' });
    for (const p of h.positions().map(parseBinlogPosition)) {
      expect(files).to.include(p.file);
      expect(p.gtid).to.equal(real.gtid);
    }
    expect(ids(h)).to.deep.equal([]);
  });

  it('trusts the GTID over a file and offset that name another point on this server (a same-named file of another server)', async () => {
    const users = await usersTable();
    const real = await realCheckpoint(users);
    await insert(users, 2);
    const [[now]] = await (await f.root()).query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS g');
    await insert(users, 3);
    // This server's file and offset of the first transaction's end, with the GTID of the second's.
    const mixed = formatBinlogPosition({ ...real, gtid: String(now!.g) });
    const logger = new MemoryLogger();
    const source = f.source([users], { logger });
    const h = new RecordingHandler();
    await source.start(mixed, h, () => undefined);
    await h.waitForTransactions(1);
    await insert(users, 4);
    await h.waitForTransactions(2);
    expect(ids(h)).to.deep.equal([[3], [4]]);
    expect(logger.lines.some((l) => l.message.startsWith(GTID_WARNING))).to.equal(true);
  });

  it('refuses with SOURCE_POSITION_LOST when neither the file nor the GTID can be resumed from', async () => {
    const users = await usersTable();
    const real = await realCheckpoint(users);
    const seq = Number(/-(\d+)$/.exec(real.gtid!)![1]);
    const cases: { gtid: string; message: RegExp }[] = [
      // A server behind the one that wrote the checkpoint (or one after RESET MASTER).
      { gtid: `0-1-${seq + 1000}`, message: /binlog ends at GTID 0-\d+-\d+, before the checkpoint's 0-1-\d+/ },
      { gtid: `0-1-${seq},7-1-3`, message: /GTID domain 7 is not in this server's binlog/ },
      // Another history with the same sequence numbers: the server itself refuses it.
      { gtid: `0-99-${seq}`, message: /cannot send the binlog from the checkpoint.*not in the master's binlog/ },
    ];
    for (const c of cases) {
      const e = await startError(formatBinlogPosition({ file: 'other-host-bin.000001', offset: 4, gtid: c.gtid }), users);
      expect(e.code, c.gtid).to.equal('SOURCE_POSITION_LOST');
      expect(e.message, c.gtid).to.match(c.message).and.to.contain('changes may have been missed');
      expect(e.hint).to.contain('cidaas-sync backfill --restart');
    }
  });

  it('refuses with SOURCE_POSITION_LOST when the file is purged and the transactions after the GTID with it', async () => {
    const users = await usersTable();
    const real = await realCheckpoint(users);
    await insert(users, 2);
    await f.exec('FLUSH BINARY LOGS');
    const current = (await binlogFiles()).at(-1)!;
    await waitFor(async () => {
      await f.exec(`PURGE BINARY LOGS TO '${current}'`);
      return !(await binlogFiles()).includes(real.file);
    }, { message: `${real.file} to be purged` });
    for (const file of [real.file, 'other-host-bin.000001']) {
      const e = await startError(formatBinlogPosition({ ...real, file }), users);
      expect(e.code).to.equal('SOURCE_POSITION_LOST');
      expect(e.message).to.contain('were purged too').and.to.contain('changes may have been missed');
    }
  });
});
