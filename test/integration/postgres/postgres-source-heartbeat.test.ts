import { expect } from 'chai';
import { compareLsn } from '../../../adapters/postgres/lsn.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

describe('PostgresSource: the heartbeat table', function () {
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_heartbeat');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  /** A heartbeat table outside the publication; created unless `create` is false. */
  async function heartbeatTable(create = true): Promise<string> {
    const name = uniqueName('heartbeat');
    if (create) await fx.sql(`CREATE TABLE ${name} (id int PRIMARY KEY, beat timestamp)`);
    return `public.${name}`;
  }

  /** Waits for an idle() position past the WAL written so far. */
  async function idlePastNow(h: RecordingHandler): Promise<string> {
    const now = await fx.currentWalLsn();
    await waitFor(() => h.idles().some((p) => compareLsn(p, now) > 0), { message: () => `an idle position past ${now}, got ${h.idles().join(' ')}` });
    return h.idles().find((p) => compareLsn(p, now) > 0)!;
  }

  it('writes the heartbeat table every interval, so that the idle position and the slot move on while nothing else changes', async () => {
    const table = await heartbeatTable();
    const slot = fx.slotName();
    const source = fx.source({ slot, heartbeat: { table, intervalMs: 200 } });
    await source.prepare();
    const h = new RecordingHandler();
    h.acknowledgeIdle = source;
    await source.start(null, h, () => undefined);
    const seen: string[] = [];
    // Only a write moves the WAL past the point read here, and nothing but the heartbeat writes.
    for (let i = 0; i < 3; i++) seen.push(await idlePastNow(h));
    for (let i = 1; i < seen.length; i++) expect(compareLsn(seen[i]!, seen[i - 1]!)).to.equal(1);
    await waitFor(async () => compareLsn((await fx.confirmedFlush(slot))!, seen.at(-1)!) >= 0, { message: 'the slot to confirm the last idle position' });
    expect(h.kinds().split(' ').filter((k) => k !== 'idle')).to.deep.equal([]);
    expect(source.heartbeats).to.be.greaterThanOrEqual(3);
    const rows = await fx.sql<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE id = 1 AND beat IS NOT NULL`);
    expect(rows.rows[0]!.n).to.equal('1');
  });

  it('warns once with the CREATE TABLE when the heartbeat table is missing, streams on, and moves on once it is there', async () => {
    const table = await heartbeatTable(false);
    const logger = new MemoryLogger();
    const source = fx.source({ logger, heartbeat: { table, intervalMs: 100 } });
    await source.prepare();
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    await waitFor(() => logger.lines.filter((l) => l.message === 'heartbeat write failed again').length >= 2, { message: 'repeated heartbeat failures' });
    await fx.sql("INSERT INTO users (id, email) VALUES (1, 'a@example.com')");
    await waitFor(() => h.commits().length === 1, { message: 'the commit' });
    const warnings = logger.lines.filter((l) => l.level === 'warn' && l.message.startsWith('heartbeat write failed'));
    expect(warnings).to.have.length(1);
    const [schema, name] = table.split('.');
    expect(String(warnings[0]!.fields['fix'])).to.contain(`CREATE TABLE "${schema}"."${name}" (id int PRIMARY KEY, beat timestamp);`)
      .and.to.contain(`GRANT INSERT, UPDATE ON "${schema}"."${name}" TO "postgres";`);

    await fx.sql(`CREATE TABLE ${table} (id int PRIMARY KEY, beat timestamp)`);
    await waitFor(() => logger.lines.some((l) => l.message === 'heartbeat writes work again'), { message: 'the heartbeat to recover' });
    await idlePastNow(h);
    expect(errors).to.deep.equal([]);
  });
});
