import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { parseBinlogPosition } from '../../../adapters/mysql/binlog-position.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';
import { RecordingHandler } from './recording-handler.js';

describe('MysqlSource: the current position, lag and a start without checkpoint', function () {
  this.timeout(60_000);
  let f: MysqlFixture;

  before(async () => {
    f = await createMysqlFixture('mysql_position');
  });

  after(async () => {
    await f?.close();
  });

  it('hands off to a backfill without a gap: each row committed meanwhile is visible to a later read or streamed', async () => {
    const table = uniqueName('users');
    await f.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY)`);
    const qualified = `${f.database}.${table}`;
    const source = f.source([qualified]);
    await source.prepare();
    const total = 400;
    let written = 0;
    // Two writers committing as fast as they can while positions are taken and rows read.
    const writers = [0, 1].map(async (w) => {
      const c = await mysql.createConnection(f.db.url);
      try {
        for (let id = w + 1; id <= total; id += 2) {
          await c.query(`INSERT INTO ${table} VALUES (${id})`);
          written++;
        }
      } finally {
        await c.end();
      }
    });
    const reader = await mysql.createConnection(f.db.url);
    const handoffs: { position: string; visible: Set<number> }[] = [];
    try {
      while (written < total - 20) {
        const position = await source.currentPosition();
        const [rows] = await reader.query<RowDataPacket[]>(`SELECT id FROM ${table}`);
        handoffs.push({ position, visible: new Set(rows.map((r) => Number(r.id))) });
      }
    } finally {
      await Promise.all(writers);
      await reader.end();
    }
    expect(handoffs.length).to.be.greaterThan(2);

    // Stream everything from before the first hand-off, then check each hand-off position.
    const h = new RecordingHandler();
    const streamed = f.source([qualified]);
    await streamed.prepare();
    await streamed.start(handoffs[0]!.position, h, () => undefined);
    await waitFor(() => h.changes().length >= total - handoffs[0]!.visible.size, { message: 'every row after the first hand-off' });
    const txs = h.transactions();
    for (const { position, visible } of handoffs) {
      const after = new Set(txs.filter((t) => source.comparePositions(t.position, position) > 0).flatMap((t) => t.changes.map((c) => Number(c.after!.id))));
      const lost = Array.from({ length: total }, (_, i) => i + 1).filter((id) => !visible.has(id) && !after.has(id));
      expect(lost, `rows neither read nor streamed after ${position}`).to.deep.equal([]);
    }
  });

  it('reports the bytes between the acknowledged position and the end of the binlog', async () => {
    const table = uniqueName('users');
    await f.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(200))`);
    const h = new RecordingHandler();
    const source = f.source([`${f.database}.${table}`]);
    await source.prepare();
    expect(await source.lag()).to.deep.equal({ bytes: null, retainedBytes: null });
    await source.start(null, h, () => undefined);
    await f.exec(`INSERT INTO ${table} VALUES (1, 'first')`);
    const [first] = await h.waitForTransactions(1);
    await source.acknowledge(first!.position);
    const at = await source.lag();
    expect(at.bytes).to.equal(0);
    expect(at.retainedBytes).to.be.at.least(parseBinlogPosition(first!.position).offset);

    await f.exec(`INSERT INTO ${table} VALUES (2, '${'x'.repeat(150)}')`);
    const [, second] = await h.waitForTransactions(2);
    const behind = await source.lag();
    expect(behind.bytes).to.equal(parseBinlogPosition(second!.position).offset - parseBinlogPosition(first!.position).offset);
    await source.acknowledge(first!.position.replace(/:\d+/, ':0000000004'));
    expect((await source.lag()).bytes, 'acknowledge never moves back').to.equal(behind.bytes);
  });
});
