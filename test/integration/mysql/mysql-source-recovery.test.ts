import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { parseBinlogPosition } from '../../../adapters/mysql/binlog-position.js';
import { SyncError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';
import { RecordingHandler } from './recording-handler.js';

describe('MysqlSource: reconnecting and lost positions', function () {
  this.timeout(60_000);
  let f: MysqlFixture;

  before(async () => {
    f = await createMysqlFixture('mysql_recovery');
  });

  after(async () => {
    await f?.close();
  });

  async function usersTable(): Promise<string> {
    const name = uniqueName('users');
    await f.exec(`CREATE TABLE ${name} (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL)`);
    return `${f.database}.${name}`;
  }

  /** Kills the replication user's binlog dump thread, as a network cut or a DBA would. */
  async function killDumpThread(): Promise<void> {
    const c = await f.root();
    let ids: RowDataPacket[] = [];
    await waitFor(async () => {
      [ids] = await c.query<RowDataPacket[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'", [f.userName]);
      return ids.length > 0;
    }, { message: 'a binlog dump thread of the replication user' });
    for (const r of ids) await c.query(`KILL ${Number(r.ID)}`);
  }

  async function binlogFiles(): Promise<string[]> {
    const [rows] = await (await f.root()).query<RowDataPacket[]>('SHOW BINARY LOGS');
    return rows.map((r) => String(r.Log_name));
  }

  it('reconnects after a server restart and resumes from the acknowledged position without loss', async () => {
    const users = await usersTable();
    const h = new RecordingHandler();
    const source = f.source([users]);
    const errors: Error[] = [];
    await source.prepare();
    await source.start(await source.currentPosition(), h, (err) => errors.push(err));
    await f.exec(`INSERT INTO ${users} VALUES (1, 'before@example.com')`);
    const [first] = await h.waitForTransactions(1);
    await source.acknowledge(first!.position);

    await f.db.server.restart();
    await f.exec(`INSERT INTO ${users} VALUES (2, 'after@example.com')`);
    const txs = await h.waitForTransactions(2, 30_000);
    expect(errors).to.deep.equal([]);
    expect(txs.map((x) => x.changes.map((ch) => ch.after?.id))).to.deep.equal([[1], [2]]);
    expect(source.comparePositions(txs[1]!.position, first!.position)).to.be.greaterThan(0);
  });

  it('aborts a half-delivered transaction when the stream breaks and delivers it again from its begin', async () => {
    const users = await usersTable();
    const h = new RecordingHandler();
    const logger = new MemoryLogger();
    const source = f.source([users], { logger });
    await source.prepare();
    await source.start(await source.currentPosition(), h, () => undefined);
    h.holdAt((x) => x.call === 'begin');
    const c = await f.root();
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${users} VALUES (1, 'a@example.com'), (2, 'b@example.com')`);
    await c.query('COMMIT');
    await waitFor(() => h.waiting > 0 && source.flow.queued >= 1, { message: 'the transaction read, its begin waiting in the handler' });

    await killDumpThread();
    await waitFor(() => logger.lines.some((l) => l.message.startsWith('binlog connection lost')), { message: 'the source to notice the broken stream' });
    h.release();
    const txs = await h.waitForTransactions(1);
    const calls = h.calls.filter((x) => x.call !== 'idle').map((x) => x.call);
    // The rows event being applied when the stream broke still reaches the handler, then the abort.
    expect(calls).to.deep.equal(['begin', 'change', 'change', 'abort', 'begin', 'change', 'change', 'commit']);
    expect(txs[0]!.changes.map((ch) => ch.after?.id)).to.deep.equal([1, 2]);
  });

  it('refuses to start from a checkpoint whose binlog file was purged, with SOURCE_POSITION_LOST', async () => {
    const users = await usersTable();
    const source = f.source([users]);
    await source.prepare();
    const checkpoint = await source.currentPosition();
    const file = parseBinlogPosition(checkpoint).file;
    // A transaction after the checkpoint in the file that goes: its GTID cannot stand in either.
    await f.exec(`INSERT INTO ${users} VALUES (1, 'lost@example.com')`);
    await f.exec('FLUSH BINARY LOGS');
    const current = (await binlogFiles()).at(-1)!;
    await waitFor(async () => {
      await f.exec(`PURGE BINARY LOGS TO '${current}'`);
      return !(await binlogFiles()).includes(file);
    }, { message: `${file} to be purged` });

    const err = await source.start(checkpoint, new RecordingHandler(), () => undefined).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(SyncError);
    const e = err as SyncError;
    expect(e.code).to.equal('SOURCE_POSITION_LOST');
    expect(e.exitCode).to.not.equal(0);
    expect(e.message).to.contain(file).and.to.contain('changes may have been missed');
    expect(e.hint).to.contain('cidaas-sync backfill --restart');
  });

  it('resumes from the GTID of a checkpoint whose binlog file was purged when every transaction after it is still kept', async () => {
    const users = await usersTable();
    const source = f.source([users]);
    await source.prepare();
    const checkpoint = await source.currentPosition();
    const file = parseBinlogPosition(checkpoint).file;
    await f.exec('FLUSH BINARY LOGS');
    const current = (await binlogFiles()).at(-1)!;
    await f.exec(`INSERT INTO ${users} VALUES (1, 'kept@example.com')`);
    await waitFor(async () => {
      await f.exec(`PURGE BINARY LOGS TO '${current}'`);
      return !(await binlogFiles()).includes(file);
    }, { message: `${file} to be purged` });

    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(checkpoint, h, (err) => errors.push(err));
    await f.exec(`INSERT INTO ${users} VALUES (2, 'next@example.com')`);
    const txs = await h.waitForTransactions(2);
    expect(txs.map((x) => x.changes.map((ch) => ch.after?.id))).to.deep.equal([[1], [2]]);
    expect(errors).to.deep.equal([]);
  });

  it('stops with SOURCE_POSITION_LOST when the binlog it must resume from is purged while it is disconnected', async () => {
    const users = await usersTable();
    const h = new RecordingHandler();
    const source = f.source([users]);
    const errors: Error[] = [];
    await source.prepare();
    const checkpoint = await source.currentPosition();
    await source.start(checkpoint, h, (err) => errors.push(err));
    // Delivered, never acknowledged: the stream must resume before it, and it goes with the file.
    await f.exec(`INSERT INTO ${users} VALUES (1, 'lost@example.com')`);
    await f.exec('FLUSH BINARY LOGS');
    const current = (await binlogFiles()).at(-1)!;
    // Once the stream reads the new file, the old one is no longer in use and may be purged.
    await waitFor(() => h.positions().some((p) => parseBinlogPosition(p).file === current), { message: 'a heartbeat in the new binlog file' });
    await waitFor(async () => {
      await f.exec(`PURGE BINARY LOGS TO '${current}'`);
      return !(await binlogFiles()).includes(parseBinlogPosition(checkpoint).file);
    }, { message: 'the checkpoint file to be purged' });

    await killDumpThread();
    await waitFor(() => errors.length > 0, { message: 'the source to give up' });
    expect(errors).to.have.length(1);
    expect((errors[0] as SyncError).code).to.equal('SOURCE_POSITION_LOST');
  });
});
