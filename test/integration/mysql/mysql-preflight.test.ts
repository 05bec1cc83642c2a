import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { checkMysqlSource } from '../../../adapters/mysql/mysql-preflight.js';
import type { PreflightItem } from '../../../adapters/mysql/mysql-preflight.js';
import { Secret } from '../../../src/secret.js';
import { uniqueName } from '../../support/servers.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';

describe('checkMysqlSource: preflight of a MariaDB source', function () {
  this.timeout(30_000);
  let f: MysqlFixture;
  let users: string;
  const serverId = 4711;

  before(async () => {
    f = await createMysqlFixture('mysql_preflight');
    await f.exec('CREATE TABLE users (id INT PRIMARY KEY)');
    await f.exec('CREATE TABLE secrets (id INT PRIMARY KEY)');
    users = `${f.database}.users`;
  });

  after(async () => {
    await f?.close();
  });

  function item(items: readonly PreflightItem[], name: string): PreflightItem {
    const found = items.find((i) => i.name === name);
    if (!found) throw new Error(`no preflight item "${name}" in ${items.map((i) => i.name).join(', ')}`);
    return found;
  }

  /** Sets a global variable for the duration of `work`, then restores it. */
  async function withGlobal<T>(name: string, value: string | number, work: () => Promise<T>): Promise<T> {
    const [[row]] = await (await f.root()).query<RowDataPacket[]>(`SELECT @@GLOBAL.${name} AS v`);
    const raw = row!.v as string | number;
    const old = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    await f.exec(`SET GLOBAL ${name} = ?`, [value]);
    try {
      return await work();
    } finally {
      await f.exec(`SET GLOBAL ${name} = ?`, [old]);
    }
  }

  it('passes every item on the test server for the replication user', async () => {
    const items = await checkMysqlSource(f.url, { tables: [users], serverId });
    expect(items.filter((i) => !i.ok), JSON.stringify(items, null, 1)).to.deep.equal([]);
    expect(items.map((i) => i.name)).to.include.members([
      'log_bin', 'binlog_format', 'binlog_row_image', 'binlog_row_metadata', 'server_id',
      'grant REPLICATION SLAVE', 'grant BINLOG MONITOR', `SELECT on ${users}`, 'binlog retention',
    ]);
  });

  for (const [name, wrong, fix] of [
    ['binlog_format', 'MIXED', "SET GLOBAL binlog_format = 'ROW';"],
    ['binlog_row_image', 'MINIMAL', "SET GLOBAL binlog_row_image = 'FULL';"],
    ['binlog_row_metadata', 'NO_LOG', "SET GLOBAL binlog_row_metadata = 'FULL';"],
  ] as const) {
    it(`fails ${name}=${wrong} with the statement that fixes it`, async () => {
      const items = await withGlobal(name, wrong, () => checkMysqlSource(f.url, { tables: [users], serverId }));
      const it = item(items, name);
      expect(it.ok).to.equal(false);
      expect(it.detail).to.contain(wrong);
      expect(it.fix).to.contain(fix).and.to.contain(`my.cnf [mysqld]: ${name} =`);
      expect(items.filter((i) => !i.ok).map((i) => i.name)).to.deep.equal([name]);
    });
  }

  it("fails server_id when source.serverId is the server's own id", async () => {
    const [[row]] = await (await f.root()).query<RowDataPacket[]>('SELECT @@server_id AS id');
    const items = await checkMysqlSource(f.url, { tables: [users], serverId: Number(row!.id) });
    const it = item(items, 'server_id');
    expect(it.ok).to.equal(false);
    expect(it.fix).to.match(/serverId: \d+/);
  });

  it('fails each missing grant of a user without them, with the GRANT that adds it', async () => {
    const name = uniqueName('weak');
    const user = `'${name}'@'127.0.0.1'`;
    await f.exec(`CREATE USER ${user} IDENTIFIED VIA mysql_native_password USING PASSWORD('pw')`);
    await f.exec(`GRANT SELECT ON ${f.database}.users TO ${user}`);
    try {
      const url = new Secret(`mysql://${name}:pw@${f.db.server.host}:${f.db.server.port}/${f.database}`);
      const secrets = `${f.database}.secrets`;
      const items = await checkMysqlSource(url, { tables: [users, secrets], serverId });
      expect(items.filter((i) => !i.ok).map((i) => i.name)).to.deep.equal(['grant REPLICATION SLAVE', 'grant BINLOG MONITOR', `SELECT on ${secrets}`]);
      expect(item(items, 'grant REPLICATION SLAVE').fix).to.equal(`GRANT REPLICATION SLAVE ON *.* TO ${user};`);
      expect(item(items, 'grant BINLOG MONITOR').fix).to.equal(`GRANT BINLOG MONITOR ON *.* TO ${user};`);
      expect(item(items, `SELECT on ${secrets}`).fix).to.equal(`GRANT SELECT ON \`${f.database}\`.\`secrets\` TO ${user};`);
      expect(item(items, `SELECT on ${users}`).ok).to.equal(true);
    } finally {
      await f.exec(`DROP USER ${user}`);
    }
  });

  it('fails a table that does not exist', async () => {
    const missing = `${f.database}.nope`;
    const it = item(await checkMysqlSource(f.url, { tables: [missing], serverId }), `SELECT on ${missing}`);
    expect(it.ok).to.equal(false);
    expect(it.detail).to.contain('does not exist');
  });

  it('fails a binlog retention shorter than the minimum, with the setting that lengthens it', async () => {
    const items = await withGlobal('binlog_expire_logs_seconds', 3600, () => checkMysqlSource(f.url, { tables: [users], serverId }));
    const it = item(items, 'binlog retention');
    expect(it.ok).to.equal(false);
    expect(it.detail).to.contain('1 hours');
    expect(it.fix).to.contain('SET GLOBAL binlog_expire_logs_seconds = 604800;');
  });

  it('reports the lag of a checkpoint still in the binlog, and fails one whose file is gone', async () => {
    const [[status]] = await (await f.root()).query<RowDataPacket[]>('SHOW MASTER STATUS');
    const kept = `${String(status!.File)}:0000000004`;
    const ok = item(await checkMysqlSource(f.url, { tables: [users], serverId, checkpoint: kept }), 'checkpoint in binlog');
    expect(ok.ok).to.equal(true);
    expect(ok.detail).to.match(/\d+ bytes behind/);

    const gone = item(await checkMysqlSource(f.url, { tables: [users], serverId, checkpoint: 'mariadb-bin.000000:0000000004' }), 'checkpoint in binlog');
    expect(gone.ok).to.equal(false);
    expect(gone.fix).to.equal('cidaas-sync backfill --restart');
  });

  it('fails to connect with a wrong password, without printing it', async () => {
    const url = new Secret(`mysql://${f.userName}:wrong-password@${f.db.server.host}:${f.db.server.port}/${f.database}`);
    const items = await checkMysqlSource(url, { tables: [users], serverId });
    expect(items).to.have.length(1);
    expect(items[0]!.name).to.equal('connect');
    expect(items[0]!.ok).to.equal(false);
    expect(JSON.stringify(items)).to.not.contain('wrong-password');
  });
});
