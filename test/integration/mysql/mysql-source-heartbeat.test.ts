import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import { parseBinlogPosition } from '../../../adapters/mysql/binlog-position.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { createMysqlFixture } from './mysql-fixture.js';
import type { MysqlFixture } from './mysql-fixture.js';
import type { MysqlSourceOptions } from '../../../adapters/mysql/mysql-source.js';
import type { MysqlSource } from '../../../adapters/mysql/mysql-source.js';
import { RecordingHandler } from './recording-handler.js';

describe('MysqlSource: the heartbeat table', function () {
  this.timeout(60_000);
  let f: MysqlFixture;

  before(async () => {
    f = await createMysqlFixture('mysql_heartbeat');
  });

  after(async () => {
    await f?.close();
  });

  // Stopped after each test: a heartbeat left running would move the next test's positions.
  let running: MysqlSource[] = [];
  afterEach(async () => {
    await Promise.all(running.map((s) => s.stop()));
    running = [];
  });

  function streamSource(table: string, options: Partial<MysqlSourceOptions> = {}): MysqlSource {
    const s = f.source([table], options);
    running.push(s);
    return s;
  }

  async function usersTable(): Promise<string> {
    const name = uniqueName('users');
    await f.exec(`CREATE TABLE ${name} (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL)`);
    return `${f.database}.${name}`;
  }

  /** A heartbeat table name in the fixture's database; created (with the grant) unless `create` is false. */
  async function heartbeatTable(o: { create?: boolean; grant?: boolean } = {}): Promise<string> {
    const table = `${f.database}.${uniqueName('heartbeat')}`;
    if (o.create ?? true) await f.exec(`CREATE TABLE ${table} (id int PRIMARY KEY, beat timestamp(6))`);
    if ((o.create ?? true) && (o.grant ?? true)) await f.exec(`GRANT INSERT, UPDATE ON ${table} TO ${f.user}`);
    return table;
  }

  function idleCount(h: RecordingHandler): number {
    return h.calls.filter((c) => c.call === 'idle').length;
  }

  /** Waits for an idle() position that lies after every position reported before the call. */
  async function idleMovesOn(source: { comparePositions(a: string, b: string): number }, h: RecordingHandler): Promise<string> {
    const before = h.positions().at(-1);
    let moved: string | undefined;
    await waitFor(() => {
      moved = h.calls.flatMap((c) => (c.call === 'idle' ? [c.position] : [])).find((p) => before === undefined || source.comparePositions(p, before) > 0);
      return moved !== undefined;
    }, { message: () => `an idle position after ${before ?? 'none'}, got ${h.positions().join(' ')}` });
    return moved!;
  }

  it('writes the heartbeat table every interval, so that the idle position moves on while nothing else changes', async () => {
    const users = await usersTable();
    const table = await heartbeatTable();
    const source = streamSource(users, { heartbeat: { table, intervalMs: 200 } });
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(await idleMovesOn(source, h));
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [parseBinlogPosition(seen[i - 1]!), parseBinlogPosition(seen[i]!)];
      const seq = (gtid: string | null): number => Number(/-(\d+)$/.exec(gtid ?? '')?.[1] ?? -1);
      expect(seq(b.gtid), 'each position is past a later transaction').to.be.greaterThan(seq(a.gtid));
    }
    expect(h.transactions()).to.deep.equal([]);
    expect(source.heartbeats).to.be.greaterThanOrEqual(3);
    const [[row]] = await (await f.root()).query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    expect(Number(row!.n)).to.equal(1);
  });

  it('without a heartbeat table, reports the same idle position while nothing changes', async () => {
    const users = await usersTable();
    const source = streamSource(users);
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);
    await waitFor(() => idleCount(h) >= 3, { message: 'three idle positions from binlog heartbeats' });
    expect(new Set(h.positions()).size).to.equal(1);
  });

  it('warns once with the fix when the heartbeat write fails, streams on, and moves on once the table is there', async () => {
    const users = await usersTable();
    const missing = await heartbeatTable({ create: false });
    const logger = new MemoryLogger();
    const source = streamSource(users, { logger, heartbeat: { table: missing, intervalMs: 100 } });
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    await waitFor(() => logger.lines.filter((l) => l.message === 'heartbeat write failed again').length >= 2, { message: 'repeated heartbeat failures' });
    await f.exec(`INSERT INTO ${users} VALUES (1, 'a@example.com')`);
    await h.waitForTransactions(1);
    const warnings = logger.lines.filter((l) => l.level === 'warn' && l.message.startsWith('heartbeat write failed'));
    expect(warnings).to.have.length(1);
    expect(String(warnings[0]!.fields['fix'])).to.contain(`CREATE TABLE \`${f.database}\`.`).and.to.contain(`GRANT INSERT, UPDATE ON`).and.to.contain(f.userName);

    await f.exec(`CREATE TABLE ${missing} (id int PRIMARY KEY, beat timestamp(6))`);
    await f.exec(`GRANT INSERT, UPDATE ON ${missing} TO ${f.user}`);
    await waitFor(() => logger.lines.some((l) => l.message === 'heartbeat writes work again'), { message: 'the heartbeat to recover' });
    await idleMovesOn(source, h);
    await idleMovesOn(source, h);
    expect(errors).to.deep.equal([]);
  });

  it('names the GRANT when the user may not write the heartbeat table', async () => {
    const users = await usersTable();
    const table = await heartbeatTable({ grant: false });
    const logger = new MemoryLogger();
    const source = streamSource(users, { logger, heartbeat: { table, intervalMs: 100 } });
    await source.start(null, new RecordingHandler(), () => undefined);
    await waitFor(() => logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('heartbeat write failed')), { message: 'the heartbeat warning' });
    const warning = logger.lines.find((l) => l.level === 'warn' && l.message.startsWith('heartbeat write failed'))!;
    expect(String(warning.fields['fix'])).to.match(/^GRANT INSERT, UPDATE ON `[^`]+`\.`[^`]+` TO '[^']+'@'127\.0\.0\.1';$/);
  });
});
