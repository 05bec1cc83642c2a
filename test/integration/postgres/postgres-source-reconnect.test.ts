import { expect } from 'chai';
import { getPostgresServer } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { gate, PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

describe('PostgresSource: reconnecting after a server restart', function () {
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_reconnect');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  it('lets a blocked stream\'s server shut down, aborts the transaction cut by the restart, delivers it again whole, and streams on by itself', async function () {
    this.timeout(60_000);
    const slot = fx.slotName();
    const source = fx.source({ slot, reconnectMinMs: 100, reconnectMaxMs: 1_000 });
    await source.prepare();
    const h = new RecordingHandler();
    const blocked = gate();
    let held = false;
    h.hold = (e) => {
      if (e.kind !== 'change' || held) return undefined;
      held = true;
      return blocked.promise;
    };
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    await fx.sql("INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com')");
    await waitFor(() => held, { message: 'the first change of the transaction' });
    const pidBefore = await fx.activePid(slot);

    // A fast shutdown waits for every walsender to have its WAL confirmed: with the handler blocked
    // the source must give its session up, or the server does not stop (the test server is
    // SIGKILLed after 15 s).
    const server = await getPostgresServer();
    const stopping = Date.now();
    await server.restart();
    expect(Date.now() - stopping).to.be.lessThan(10_000);
    blocked.open();
    await waitFor(() => h.commits().length >= 1, { timeoutMs: 20_000, message: () => `the transaction again, got ${h.kinds()}` });
    expect(h.events.filter((e) => e.kind !== 'idle').map((e) => e.kind)).to.deep.equal(['begin', 'change', 'abort', 'begin', 'change', 'change', 'commit']);
    expect(h.transactions().map((t) => t.changes.map((c) => c.after?.['id']))).to.deep.equal([[1, 2]]);

    await fx.sql("INSERT INTO users (id, email) VALUES (3, 'c@example.com')");
    await waitFor(() => h.commits().length >= 2, { message: () => `the transaction after the restart, got ${h.kinds()}` });
    expect(h.transactions().map((t) => t.changes.map((c) => c.after?.['id']))).to.deep.equal([[1, 2], [3]]);
    expect(await fx.activePid(slot)).to.not.equal(pidBefore);
    expect(errors).to.deep.equal([]);
    expect(h.overlaps).to.equal(0);
  });

  it('keeps reconnecting while the server is down and resumes after the last delivered transaction', async function () {
    this.timeout(60_000);
    const slot = fx.slotName();
    const source = fx.source({ slot, reconnectMinMs: 100, reconnectMaxMs: 500 });
    await source.prepare();
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    await fx.sql("INSERT INTO users (id, email) VALUES (10, 'd@example.com')");
    await waitFor(() => h.commits().length === 1, { message: 'the first transaction' });

    const server = await getPostgresServer();
    await server.stop();
    await server.start();
    await fx.sql("INSERT INTO users (id, email) VALUES (11, 'e@example.com')");
    await waitFor(() => h.commits().length >= 2, { timeoutMs: 20_000, message: () => `the transaction after the restart, got ${h.kinds()}` });
    // Not acknowledged, yet not delivered twice: the reconnect starts after the last delivered commit.
    expect(h.transactions().map((t) => t.changes.map((c) => c.after?.['id']))).to.deep.equal([[10], [11]]);
    expect(errors).to.deep.equal([]);
  });
});
