import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { checkMysqlSource } from '../../../adapters/mysql/mysql-preflight.js';
import type { PreflightItem } from '../../../adapters/mysql/mysql-preflight.js';
import type { ExpectedTable } from '../../../src/preflight/expected-columns.js';
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

  describe('configured columns (#17)', () => {
    /** WordPress's user table as wp-admin/includes/schema.php creates it (the columns cidaas-sync reads). */
    let wpUsers: string;
    before(async () => {
      await f.exec(`CREATE TABLE wp_users (
        ID bigint(20) unsigned NOT NULL AUTO_INCREMENT, user_login varchar(60) NOT NULL DEFAULT '', user_pass varchar(255) NOT NULL DEFAULT '',
        user_email varchar(100) NOT NULL DEFAULT '', user_registered datetime NOT NULL DEFAULT '0000-00-00 00:00:00', display_name varchar(250) NOT NULL DEFAULT '',
        PRIMARY KEY (ID))`);
      wpUsers = `${f.database}.wp_users`;
    });

    function expected(columns: readonly (readonly [string, string])[]): ExpectedTable {
      return {
        role: 'users', table: { schema: f.database, name: 'wp_users' }, qualified: wpUsers, configKey: 'users.table', userKey: columns[0]![0], userKeyConfigKey: 'users.key',
        columns: columns.map(([column, configKey], i) => ({ column, configKey, use: i === 0 ? 'key' : 'text' })),
      };
    }

    it('passes when every configured column exists', async () => {
      const items = await checkMysqlSource(f.url, { tables: [wpUsers], columns: [expected([['ID', 'users.key'], ['user_email', 'users.fields.email'], ['user_pass', 'password.hash']])], serverId });
      expect(item(items, `columns of ${wpUsers}`)).to.include({ ok: true, detail: '3 configured columns exist' });
    });

    it('fails a misspelled column with the config key that names it and the column meant', async () => {
      const items = await checkMysqlSource(f.url, { tables: [wpUsers], columns: [expected([['ID', 'users.key'], ['user_emial', 'users.fields.email']])], serverId });
      const it = item(items, `column ${wpUsers}.user_emial`);
      expect(it.ok).to.equal(false);
      expect(it.detail).to.equal('does not exist (named by users.fields.email)');
      expect(it.fix).to.equal(`set users.fields.email to a column of ${wpUsers} (did you mean \`user_email\`?)`);
      expect(items.filter((i) => !i.ok).map((i) => i.name)).to.deep.equal([`column ${wpUsers}.user_emial`]);
    });

    it('fails a column spelled in another case, since rows are read by the exact name', async () => {
      const items = await checkMysqlSource(f.url, { tables: [wpUsers], columns: [expected([['id', 'users.key']])], serverId });
      expect(item(items, `column ${wpUsers}.id`).fix).to.contain('(did you mean `ID`?)');
    });

    it('lists the columns the table has when no name is close', async () => {
      const items = await checkMysqlSource(f.url, { tables: [wpUsers], columns: [expected([['ID', 'users.key'], ['mail_address', 'users.fields.email']])], serverId });
      expect(item(items, `column ${wpUsers}.mail_address`).fix).to.contain('(it has: ID, user_login, user_pass, user_email, user_registered, display_name)');
    });

    it('leaves a missing table to the SELECT check', async () => {
      const missing = { ...expected([['ID', 'users.key']]), qualified: `${f.database}.nope`, table: { schema: f.database, name: 'nope' } };
      const items = await checkMysqlSource(f.url, { tables: [missing.qualified], columns: [missing], serverId });
      expect(items.filter((i) => !i.ok).map((i) => i.name)).to.deep.equal([`SELECT on ${missing.qualified}`]);
    });
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
