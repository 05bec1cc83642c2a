import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { SyncError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture, type MysqlFixture } from './mysql-fixture.js';
import { RecordingHandler } from './recording-handler.js';

/**
 * High availability (#14): the binlog reader asks before every (re)connect (`beforeConnect`, the
 * lease); a refusal stops it for good instead of opening a dump, which with the replicas' shared
 * server id would cut off the new holder's.
 */
describe('MysqlSource: beforeConnect (#14)', function () {
  this.timeout(60_000);
  let f: MysqlFixture;

  before(async () => {
    f = await createMysqlFixture('mysql_before_connect');
  });

  after(async () => {
    await f?.close();
  });

  async function dumpThreads(): Promise<number[]> {
    const [rows] = await (await f.root()).query<RowDataPacket[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'", [f.userName]);
    return rows.map((r) => Number(r.ID));
  }

  const refused = (): SyncError => new SyncError('LEASE_LOST', 'this replica no longer holds the lease: a test took it');

  it('asks before every reconnect and, refused, stops with the refusal instead of opening a dump', async () => {
    const name = uniqueName('users');
    await f.exec(`CREATE TABLE ${name} (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL)`);
    let asked = 0;
    let allowed = true;
    const log = new MemoryLogger();
    const source = f.source([`${f.database}.${name}`], { logger: log, beforeConnect: () => {
      asked++;
      if (!allowed) throw refused();
    } });
    const errors: Error[] = [];
    const h = new RecordingHandler();
    await source.start(await source.currentPosition(), h, (err) => errors.push(err));
    expect(asked).to.equal(1);
    await f.exec(`INSERT INTO ${f.database}.${name} VALUES (1, 'a@example.com')`);
    await source.acknowledge((await h.waitForTransactions(1))[0]!.position);

    // The lease is gone; the connection is cut (as the new holder's dump of the same id does).
    allowed = false;
    const [dump] = await dumpThreads();
    await (await f.root()).query(`KILL ${dump!}`);
    await waitFor(() => errors.length > 0, { message: 'the stream to stop on the refusal' });
    expect(errors.map((e) => (e as SyncError).code)).to.deep.equal(['LEASE_LOST']);
    expect(asked).to.equal(2);
    await waitFor(async () => (await dumpThreads()).length === 0, { message: 'no binlog dump of the replication user' });
    expect(log.lines.filter((l) => l.message === 'streaming')).to.have.length(1);
    // Stopped for good: nothing asks again, nothing connects.
    await f.exec(`INSERT INTO ${f.database}.${name} VALUES (2, 'b@example.com')`);
    expect(await dumpThreads()).to.deep.equal([]);
    expect(asked).to.equal(2);
  });

  it('refuses to start, opening no dump, when the first connect is refused', async () => {
    const name = uniqueName('users');
    await f.exec(`CREATE TABLE ${name} (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL)`);
    const source = f.source([`${f.database}.${name}`], { beforeConnect: () => { throw refused(); } });
    const err = await source.start(await source.currentPosition(), new RecordingHandler(), () => undefined).then(() => null, (e: unknown) => e);
    expect((err as SyncError).code).to.equal('LEASE_LOST');
    expect(await dumpThreads()).to.deep.equal([]);
  });
});
