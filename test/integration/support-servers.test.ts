import ZongJi from '@vlasky/zongji';
import type { AnyBinlogEvent, WriteRowsEvent } from '@vlasky/zongji';
import { expect } from 'chai';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { Pgoutput } from 'pg-logical-replication';
import { createMariaDbDatabase, createPostgresDatabase, uniqueName, withMariaDb, withPostgres } from '../support/servers.js';
import type { MariaDbTestDatabase, PostgresTestDatabase } from '../support/servers.js';
import { waitFor } from '../support/wait-for.js';

describe('test support: PostgreSQL server', function () {
  let db: PostgresTestDatabase;

  before(async () => {
    db = await createPostgresDatabase('support');
  });

  after(async () => {
    await db?.drop();
  });

  it('delivers an inserted row through a pgoutput slot to pg-logical-replication', async function () {
    this.timeout(20_000);
    const slot = uniqueName('slot');
    const publication = uniqueName('pub');
    await withPostgres(db.url, async (client) => {
      await client.query('CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text)');
      await client.query(`CREATE PUBLICATION ${publication} FOR TABLE users`);
      await client.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
    });

    const messages: Pgoutput.Message[] = [];
    const errors: unknown[] = [];
    // timeoutSeconds 0: the library's timer would otherwise acknowledge unprocessed data.
    const service = new LogicalReplicationService(
      { connectionString: db.url },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    service.on('error', (error) => errors.push(error));
    service.on('data', (_lsn: string, message: Pgoutput.Message) => {
      messages.push(message);
    });
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] });
    const streaming = service.subscribe(plugin, slot, '0/0').catch((error: unknown) => errors.push(error));
    try {
      await withPostgres(db.url, (client) =>
        client.query("INSERT INTO users (id, email, name) VALUES (1, 'ada@example.com', 'Ada Lovelace')"),
      );
      await waitFor(() => errors.length > 0 || messages.some((message) => message.tag === 'commit'), {
        timeoutMs: 10_000,
        message: 'the insert to arrive on the replication stream',
      });
      expect(errors).to.deep.equal([]);
      expect(messages.map((message) => message.tag)).to.deep.equal(['begin', 'relation', 'insert', 'commit']);
      const insert = messages.find((message): message is Pgoutput.MessageInsert => message.tag === 'insert');
      expect(insert?.relation.name).to.equal('users');
      expect(insert?.new).to.deep.equal({ id: 1, email: 'ada@example.com', name: 'Ada Lovelace' });
    } finally {
      await service.stop();
      await streaming;
    }
  });

  it('answers again on the same port with the same data after restart()', async function () {
    this.timeout(30_000);
    const { server } = db;
    const port = server.port;
    await withPostgres(db.url, (client) => client.query("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before restart')"));

    await server.restart();

    expect(server.port).to.equal(port);
    const rows = await withPostgres(db.url, async (client) => (await client.query('SELECT note FROM kept')).rows);
    expect(rows).to.deep.equal([{ note: 'before restart' }]);
  });
});

describe('test support: MariaDB server', function () {
  let db: MariaDbTestDatabase;

  before(async () => {
    db = await createMariaDbDatabase('support');
  });

  after(async () => {
    await db?.drop();
  });

  it('delivers an inserted row through a binlog dump to zongji, followed by its xid', async function () {
    this.timeout(20_000);
    await withMariaDb(db.url, (connection) =>
      connection.query('CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL, name VARCHAR(255))'),
    );

    const events: AnyBinlogEvent[] = [];
    const errors: unknown[] = [];
    const zongji = new ZongJi(db.url);
    zongji.on('error', (error) => errors.push(error));
    zongji.on('binlog', (event) => events.push(event));
    let stopped = false;
    zongji.on('stopped', () => (stopped = true));
    zongji.start({
      serverId: 4201,
      startAtEnd: true,
      includeEvents: ['tablemap', 'writerows', 'xid'],
      includeSchema: { [db.database]: ['users'] },
    });
    try {
      await waitFor(() => errors.length > 0 || zongji.ready, { timeoutMs: 10_000, message: 'zongji to be ready' });
      expect(errors).to.deep.equal([]);

      await withMariaDb(db.url, (connection) =>
        connection.query("INSERT INTO users (id, email, name) VALUES (1, 'ada@example.com', 'Ada Lovelace')"),
      );
      const names = () => events.map((event) => event.getEventName());
      await waitFor(() => errors.length > 0 || names().includes('xid'), {
        timeoutMs: 10_000,
        message: 'the insert and its xid to arrive in the binlog',
      });
      expect(errors).to.deep.equal([]);
      expect(names()).to.deep.equal(['tablemap', 'writerows', 'xid']);
      const write = events[1] as WriteRowsEvent;
      expect(write.rows).to.deep.equal([{ id: 1, email: 'ada@example.com', name: 'Ada Lovelace' }]);
    } finally {
      zongji.stop();
      await waitFor(() => stopped, { timeoutMs: 5_000, message: 'zongji to stop' });
    }
  });

  it('answers again on the same port with the same data after restart()', async function () {
    this.timeout(30_000);
    const { server } = db;
    const port = server.port;
    await withMariaDb(db.url, async (connection) => {
      await connection.query('CREATE TABLE kept (note VARCHAR(40))');
      await connection.query("INSERT INTO kept VALUES ('before restart')");
    });

    await server.restart();

    expect(server.port).to.equal(port);
    const rows = await withMariaDb(db.url, async (connection) => (await connection.query('SELECT note FROM kept'))[0]);
    expect(rows).to.deep.equal([{ note: 'before restart' }]);
  });
});
