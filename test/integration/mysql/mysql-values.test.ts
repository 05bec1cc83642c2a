import { expect } from 'chai';
import { MysqlDialect } from '../../../adapters/mysql/mysql-dialect.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { canonicalValue, keyText, rowDigest } from '../../../src/digest/row-digest.js';
import { SqlLegacyReader } from '../../../src/sql-legacy-reader.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';
import { RecordingHandler } from './recording-handler.js';

describe('MysqlSource and MysqlDialect: the same values from the binlog and from a read', function () {
  this.timeout(30_000);
  let f: MysqlFixture;
  let dialect: MysqlDialect;

  before(async () => {
    f = await createMysqlFixture('mysql_values');
    dialect = new MysqlDialect(f.url);
  });

  after(async () => {
    await dialect?.close();
    await f?.close();
  });

  const COLUMNS = `(
    id BIGINT UNSIGNED PRIMARY KEY,
    email VARCHAR(191) CHARACTER SET utf8mb4 NOT NULL,
    bio TEXT CHARACTER SET utf8mb4 NULL,
    active TINYINT(1) NOT NULL,
    prefs JSON NULL,
    created_at DATETIME(6) NULL,
    seen_at TIMESTAMP(6) NULL,
    birthday DATE NULL,
    balance DECIMAL(12,4) NULL,
    counter BIGINT NULL,
    salt VARBINARY(16) NULL,
    score DOUBLE NULL,
    kind ENUM('user','admin') NULL
  )`;

  const ROWS = [
    "(18446744073709551615, 'zoë😀@example.com', 'Emoji 🧑‍💻 and ünïcödé', 1, '{\"b\": [1, 2], \"a\": {\"z\": null, \"y\": \"ß\"}}', '2024-05-06 07:08:09.123456', '2024-05-06 07:08:09.987654', '1990-02-28', 12345678.5, -9223372036854775808, x'00ff10', 0.1, 'admin')",
    "(9007199254740993, 'big@example.com', NULL, 0, '[]', '1970-01-01 00:00:00.000001', '2038-01-19 03:14:07.999999', '2000-01-01', -0.0001, 9007199254740993, x'', -1.5e300, 'user')",
    "(42, 'small@example.com', '', 1, NULL, NULL, NULL, NULL, NULL, 42, NULL, NULL, NULL)",
  ];

  it('gives, for each column type, binlog values whose canonical form equals a read through MysqlDialect', async () => {
    const table = uniqueName('typed');
    await f.exec(`CREATE TABLE ${table} ${COLUMNS}`);
    const qualified = `${f.database}.${table}`;
    const h = new RecordingHandler();
    const source = f.source([qualified]);
    await source.prepare();
    await source.start(await source.currentPosition(), h, () => undefined);
    await f.exec(`INSERT INTO ${table} VALUES ${ROWS.join(', ')}`);
    await f.exec(`UPDATE ${table} SET active = 1 - active, bio = CONCAT(COALESCE(bio, ''), ' ✓')`);
    const txs = await h.waitForTransactions(2);
    const updates = txs[1]!.changes;
    expect(updates).to.have.length(3);

    const reader = new SqlLegacyReader(dialect, { users: { table: qualified, userKey: 'id' } });
    const keys = updates.map((ch) => keyText(ch.after!.id)!);
    expect(keys).to.have.members(['18446744073709551615', '9007199254740993', '42']);
    const read = await reader.readUsers(keys);
    for (const ch of updates) {
      expect(ch.keyColumns).to.deep.equal(['id']);
      const after = ch.after!;
      const row = read.get(keyText(after.id)!)!.user!;
      expect(Object.keys(after).sort()).to.deep.equal(Object.keys(row).sort());
      for (const column of Object.keys(row)) {
        expect(canonicalValue(after[column]), `${column} of ${keyText(after.id)}`).to.equal(canonicalValue(row[column]));
      }
      expect(rowDigest(after, Object.keys(row))).to.equal(rowDigest(row, Object.keys(row)));
    }
    // The insert's images agree with the update's before images: the same decoding both times.
    const inserted = new Map(txs[0]!.changes.map((ch) => [keyText(ch.after!.id), ch.after!]));
    for (const ch of updates) expect(rowDigest(ch.before!, Object.keys(ch.before!))).to.equal(rowDigest(inserted.get(keyText(ch.before!.id))!, Object.keys(ch.before!)));
  });

  it('decodes multi-table statements on tables with pre-MySQL-5.6 temporal columns under backpressure', async () => {
    // Such tables (created by old servers, or with mysql56_temporal_format=OFF) take zongji's
    // information_schema path, where it pauses the socket itself for a column lookup.
    const a = uniqueName('legacy_a'), b = uniqueName('legacy_b');
    await f.exec('SET GLOBAL mysql56_temporal_format = OFF');
    try {
      await f.exec(`CREATE TABLE ${a} (id INT PRIMARY KEY, at DATETIME(3) NULL, n INT NOT NULL)`);
      await f.exec(`CREATE TABLE ${b} (id INT PRIMARY KEY, seen TIMESTAMP NULL, n INT NOT NULL)`);
    } finally {
      await f.exec('SET GLOBAL mysql56_temporal_format = ON');
    }
    const rows = 60;
    const ids = Array.from({ length: rows }, (_, i) => i + 1);
    await f.exec(`INSERT INTO ${a} VALUES ${ids.map((i) => `(${i}, '2024-01-02 03:04:05.678', 0)`).join(', ')}`);
    await f.exec(`INSERT INTO ${b} VALUES ${ids.map((i) => `(${i}, '2024-01-02 03:04:05', 0)`).join(', ')}`);
    const logger = new MemoryLogger();
    const h = new RecordingHandler();
    const source = f.source([`${f.database}.${a}`, `${f.database}.${b}`], { logger, maxQueuedEvents: 4 });
    await source.prepare();
    await source.start(await source.currentPosition(), h, () => undefined);
    h.holdAt((x) => x.call === 'begin');
    // Each statement writes both table maps before any row: the multi-table case.
    for (const i of ids) await f.exec(`UPDATE ${a} JOIN ${b} USING (id) SET ${a}.n = ${a}.n + 1, ${b}.n = ${b}.n + 1 WHERE id = ${i}`);
    await waitFor(() => source.flow.paused, { message: 'the source to pause' });
    h.release();
    const txs = await h.waitForTransactions(rows, 20_000);
    expect(txs.map((x) => x.changes.length)).to.deep.equal(ids.map(() => 2));
    expect(logger.lines.some((l) => l.message.startsWith('table columns looked up in information_schema'))).to.equal(true);
    const reader = new SqlLegacyReader(dialect, { users: { table: `${f.database}.${a}`, userKey: 'id' }, attributes: { table: `${f.database}.${b}`, userKey: 'id' } });
    const read = await reader.readUsers(['7']);
    const change = (t: string) => txs[6]!.changes.find((ch) => ch.table === `${f.database}.${t}`)!.after!;
    for (const [t, row] of [[a, read.get('7')!.user!], [b, read.get('7')!.attributes[0]!]] as const) {
      for (const column of Object.keys(row)) expect(canonicalValue(change(t)[column]), `${t}.${column}`).to.equal(canonicalValue(row[column]));
    }
  });

  it('pages user keys in key order and estimates the row count through MysqlDialect', async () => {
    const table = uniqueName('paged');
    await f.exec(`CREATE TABLE ${table} (id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(40))`);
    const ids = ['1', '2', '10', '9007199254740993', '18446744073709551615'];
    await f.exec(`INSERT INTO ${table} VALUES ${ids.map((id) => `(${id}, 'n${id}')`).join(', ')}`);
    const reader = new SqlLegacyReader(dialect, { users: { table: `${f.database}.${table}`, userKey: 'id' } });
    expect(await reader.pageKeys(null, 3)).to.deep.equal(['1', '2', '10']);
    expect(await reader.pageKeys('10', 3)).to.deep.equal(['9007199254740993', '18446744073709551615']);
    expect(await reader.estimateUserCount()).to.be.greaterThan(0);
    const users = await reader.readUsers(['2', '18446744073709551615', '77']);
    expect(users.get('18446744073709551615')!.user!.name).to.equal('n18446744073709551615');
    expect(users.get('77')!.user).to.equal(null);
  });
});
