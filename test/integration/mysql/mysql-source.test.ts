import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { parseBinlogPosition } from '../../../adapters/mysql/binlog-position.js';
import type { SyncError } from '../../../src/errors.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';
import { RecordingHandler } from './recording-handler.js';

describe('MysqlSource: streaming the MariaDB binlog', function () {
  this.timeout(30_000);
  let f: MysqlFixture;

  before(async () => {
    f = await createMysqlFixture('mysql_source');
  });

  after(async () => {
    await f?.close();
  });

  /** Creates a users table and an unconfigured `other` table with fresh names; returns them qualified. */
  async function tables(): Promise<{ users: string; other: string; roles: string }> {
    const users = uniqueName('users'), other = uniqueName('other'), roles = uniqueName('roles');
    await f.exec(`CREATE TABLE ${users} (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(100) NULL)`);
    await f.exec(`CREATE TABLE ${other} (id INT PRIMARY KEY, v INT)`);
    await f.exec(`CREATE TABLE ${roles} (user_id INT NOT NULL, role VARCHAR(20) NOT NULL, PRIMARY KEY (user_id, role))`);
    return { users: `${f.database}.${users}`, other: `${f.database}.${other}`, roles: `${f.database}.${roles}` };
  }

  async function streaming(configured: readonly string[], handler: RecordingHandler, options: Parameters<MysqlFixture['source']>[1] = {}) {
    const source = f.source(configured, options);
    const errors: Error[] = [];
    await source.prepare();
    const from = await source.currentPosition();
    await source.start(from, handler, (err) => errors.push(err));
    return { source, from, errors };
  }

  it('delivers inserts, updates and deletes with full row images and the primary key columns', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    const { errors } = await streaming([t.users, t.roles], h);
    const c = await f.root();
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${t.users} VALUES (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', NULL)`);
    await c.query(`INSERT INTO ${t.roles} VALUES (1, 'admin')`);
    await c.query('COMMIT');
    await c.query(`UPDATE ${t.users} SET email = 'ada@new.example' WHERE id = 1`);
    await c.query(`DELETE FROM ${t.users} WHERE id = 2`);

    const txs = await h.waitForTransactions(3);
    expect(errors).to.deep.equal([]);
    expect(txs.map((x) => x.changes.length)).to.deep.equal([3, 1, 1]);
    const [a, b, r] = txs[0]!.changes;
    expect(a).to.deep.equal({ table: t.users, op: 'insert', before: null, after: { id: 1, email: 'ada@example.com', name: 'Ada' }, keyColumns: ['id'] });
    expect(b!.after).to.deep.equal({ id: 2, email: 'bob@example.com', name: null });
    expect(r).to.deep.equal({ table: t.roles, op: 'insert', before: null, after: { user_id: 1, role: 'admin' }, keyColumns: ['user_id', 'role'] });
    expect(txs[1]!.changes[0]).to.deep.equal({
      table: t.users, op: 'update', keyColumns: ['id'],
      before: { id: 1, email: 'ada@example.com', name: 'Ada' }, after: { id: 1, email: 'ada@new.example', name: 'Ada' },
    });
    expect(txs[2]!.changes[0]).to.deep.equal({ table: t.users, op: 'delete', before: { id: 2, email: 'bob@example.com', name: null }, after: null, keyColumns: ['id'] });
    const commit = h.calls.find((x) => x.call === 'commit');
    expect(commit && commit.call === 'commit' && commit.commitTime).to.be.instanceOf(Date);
  });

  it('does not deliver changes on tables outside the configuration, and ends their transactions in idle', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    await streaming([t.users], h);
    const c = await f.root();
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${t.other} VALUES (1, 1)`);
    await c.query(`INSERT INTO ${t.users} VALUES (1, 'ada@example.com', 'Ada')`);
    await c.query('COMMIT');
    await c.query(`INSERT INTO ${t.other} VALUES (2, 2)`);
    const [[end]] = await c.query<RowDataPacket[]>('SHOW MASTER STATUS');

    const txs = await h.waitForTransactions(1);
    expect(txs[0]!.changes.map((x) => x.table)).to.deep.equal([t.users]);
    // The second transaction touched only `other`: its end reaches the handler as idle.
    await waitFor(() => h.positions().some((p) => parseBinlogPosition(p).offset === Number(end!.Position)), { message: 'an idle at the end of the other-table transaction' });
    expect(h.transactions()).to.have.length(1);
    expect(h.calls.filter((x) => x.call === 'begin')).to.have.length(1);
  });

  it('commits at increasing positions that are transaction ends in the binlog', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    const { source, from } = await streaming([t.users], h);
    for (let i = 1; i <= 5; i++) await f.exec(`INSERT INTO ${t.users} VALUES (${i}, 'u${i}@example.com', NULL)`);
    const txs = await h.waitForTransactions(5);

    let previous = from;
    for (const tx of txs) {
      expect(source.comparePositions(tx.position, previous), `${tx.position} after ${previous}`).to.be.greaterThan(0);
      previous = tx.position;
      const p = parseBinlogPosition(tx.position);
      const c = await f.root();
      const [events] = await c.query<RowDataPacket[]>(`SHOW BINLOG EVENTS IN '${p.file}'`);
      const ending = events.find((e) => Number(e.End_log_pos) === p.offset);
      expect(ending?.Event_type, `event ending at ${p.offset}`).to.equal('Xid');
      const next = events.find((e) => Number(e.Pos) === p.offset);
      if (next) expect(next.Event_type).to.equal('Gtid');
    }
  });

  it('resumes from a checkpoint with exactly the transactions after it', async () => {
    const t = await tables();
    const first = new RecordingHandler();
    const a = await streaming([t.users], first);
    for (let i = 1; i <= 3; i++) await f.exec(`INSERT INTO ${t.users} VALUES (${i}, 'u${i}@example.com', NULL)`);
    const txs = await first.waitForTransactions(3);
    await a.source.stop();
    await f.exec(`INSERT INTO ${t.users} VALUES (4, 'u4@example.com', NULL)`);

    const second = new RecordingHandler();
    const b = f.source([t.users]);
    await b.prepare();
    await b.start(txs[0]!.position, second, () => undefined);
    const resumed = await second.waitForTransactions(3);
    expect(resumed.map((x) => x.changes.map((ch) => ch.after?.id))).to.deep.equal([[2], [3], [4]]);
    expect(resumed.slice(0, 2).map((x) => x.position)).to.deep.equal(txs.slice(1).map((x) => x.position));
  });

  it("carries in each position the server's GTID position at that transaction end", async () => {
    const t = await tables();
    const h = new RecordingHandler();
    await streaming([t.users], h);
    await f.exec(`INSERT INTO ${t.users} VALUES (1, 'ada@example.com', NULL)`);
    const [[now]] = await (await f.root()).query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS g');
    const [tx] = await h.waitForTransactions(1);
    const p = parseBinlogPosition(tx!.position);
    expect(p.gtid).to.equal(String(now!.g)).and.to.match(/^0-1-\d+$/);
    const [[at]] = await (await f.root()).query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS g', [p.file, p.offset]);
    expect(p.gtid).to.equal(String(at!.g));
    expect(tx!.id).to.equal(p.gtid);
  });

  it('never delivers a rolled-back transaction', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    await streaming([t.users], h);
    const c = await f.root();
    await c.query('BEGIN');
    await c.query(`INSERT INTO ${t.users} VALUES (1, 'gone@example.com', NULL)`);
    await c.query(`UPDATE ${t.users} SET name = 'x' WHERE id = 1`);
    await c.query('ROLLBACK');
    await c.query(`INSERT INTO ${t.users} VALUES (2, 'kept@example.com', NULL)`);
    const txs = await h.waitForTransactions(1);
    expect(txs.flatMap((x) => x.changes.map((ch) => ch.after?.id))).to.deep.equal([2]);
    expect(h.calls.filter((x) => x.call === 'begin')).to.have.length(1);
  });

  it('delivers TRUNCATE of a configured table as truncate, in whatever form it is written, and ignores others', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    await streaming([t.users], h);
    const [db, users] = t.users.split('.');
    await f.exec(`INSERT INTO ${t.users} VALUES (1, 'a@example.com', NULL)`);
    await f.exec(`TRUNCATE TABLE ${users}`);
    await f.exec(`TRUNCATE ${t.other}`);
    await f.exec(`/* cleanup */ truncate \`${db}\`.\`${users}\``);
    const txs = await h.waitForTransactions(3);
    expect(txs.map((x) => x.truncates)).to.deep.equal([[], [{ tables: [t.users] }], [{ tables: [t.users] }]]);
    expect(txs[1]!.changes).to.deep.equal([]);
  });

  it('delivers the truncation of a partition of a configured table as truncate', async () => {
    const name = uniqueName('parted');
    await f.exec(`CREATE TABLE ${name} (id INT PRIMARY KEY) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN MAXVALUE)`);
    const table = `${f.database}.${name}`;
    const h = new RecordingHandler();
    await streaming([table], h);
    await f.exec(`INSERT INTO ${name} VALUES (1), (200)`);
    await f.exec(`ALTER TABLE ${name} TRUNCATE PARTITION p0`);
    const txs = await h.waitForTransactions(2);
    expect(txs[1]!.truncates).to.deep.equal([{ tables: [table] }]);
  });

  it('stops with SOURCE_PROTOCOL when a session logs a change to a configured table as a statement', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    const { errors } = await streaming([t.users], h);
    const c = await f.root();
    await c.query("SET SESSION binlog_format = 'STATEMENT'");
    try {
      await c.query(`INSERT INTO ${t.users} VALUES (1, 'stmt@example.com', NULL)`);
    } finally {
      await c.query("SET SESSION binlog_format = 'ROW'");
    }
    await waitFor(() => errors.length > 0, { message: 'the source to stop' });
    expect((errors[0] as SyncError).code).to.equal('SOURCE_PROTOCOL');
    expect((errors[0] as SyncError).hint).to.contain('binlog_format=ROW');
    expect(h.transactions()).to.deep.equal([]);
  });

  it('reports idle positions from heartbeats while nothing changes, and past transactions on other tables', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    const { source, from } = await streaming([t.users], h, { heartbeatMs: 200 });
    await waitFor(() => h.calls.filter((x) => x.call === 'idle').length >= 3, { message: 'three heartbeat idles' });
    expect(h.calls.every((x) => x.call === 'idle')).to.equal(true);
    for (const p of h.positions()) expect(source.comparePositions(p, from)).to.be.at.least(0);

    await f.exec(`INSERT INTO ${t.other} VALUES (1, 1)`);
    const [[end]] = await (await f.root()).query<RowDataPacket[]>('SHOW MASTER STATUS');
    await waitFor(() => h.positions().some((p) => parseBinlogPosition(p).offset === Number(end!.Position)), { message: 'idle at the new end of the binlog' });
    expect(source.comparePositions(h.positions().at(-1)!, from)).to.be.greaterThan(0);
    expect(h.transactions()).to.deep.equal([]);
  });

  it('pauses the binlog socket while the handler is slow, then delivers every transaction in order', async () => {
    const t = await tables();
    const h = new RecordingHandler();
    const { source } = await streaming([t.users], h, { maxQueuedEvents: 20 });
    h.hold();
    const seen = h.calls.length;
    const values = Array.from({ length: 300 }, (_, i) => i + 1);
    const c = await f.root();
    for (const i of values) await c.query(`INSERT INTO ${t.users} VALUES (${i}, 'u${i}@example.com', NULL)`);
    await waitFor(() => source.flow.paused, { message: 'the source to pause' });
    expect(source.flow.queued).to.be.at.most(21);
    expect(h.calls).to.have.length(seen);

    h.release();
    const txs = await h.waitForTransactions(300, 20_000);
    expect(txs.map((x) => x.changes[0]!.after!.id)).to.deep.equal(values);
    await waitFor(() => !source.flow.paused, { message: 'the source to resume' });
  });
});
