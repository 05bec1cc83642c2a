import { expect } from 'chai';
import { compareLsn } from '../../../adapters/postgres/lsn.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

describe('PostgresSource: idle positions from keepalives', function () {
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_idle');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  /** Waits for an idle() call at or after `lsn`, then for the slot to confirm it (the handler acknowledges idle positions). */
  async function idleReaches(h: RecordingHandler, slot: string, lsn: string): Promise<string> {
    await waitFor(() => h.idles().some((p) => compareLsn(p, lsn) >= 0), { message: () => `idle() at ${lsn} or later, got ${h.idles().join(' ')}` });
    const position = h.idles().find((p) => compareLsn(p, lsn) >= 0)!;
    await waitFor(async () => compareLsn((await fx.confirmedFlush(slot))!, position) >= 0, { message: `confirmed_flush_lsn ${position}` });
    return position;
  }

  it('moves an idle slot on with idle() positions, through WAL of unpublished and unconfigured tables, when they are acknowledged', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const h = new RecordingHandler();
    h.acknowledgeIdle = source;
    // WAL written before the start: a quiet stream still reports the position past it.
    await fx.sql("INSERT INTO audit (note) VALUES ('before start')");
    const beforeStart = await fx.currentWalLsn();
    await source.start(null, h, () => undefined);
    const first = await idleReaches(h, slot, beforeStart);

    await fx.sql("INSERT INTO audit (note) VALUES ('not published')");
    const afterAudit = await fx.currentWalLsn();
    const second = await idleReaches(h, slot, afterAudit);
    expect(compareLsn(second, first)).to.equal(1);

    await fx.sql('INSERT INTO sessions (user_id) VALUES (1)');
    const afterSessions = await fx.currentWalLsn();
    const third = await idleReaches(h, slot, afterSessions);
    expect(compareLsn(third, second)).to.equal(1);

    const idles = h.idles();
    for (let i = 1; i < idles.length; i++) expect(compareLsn(idles[i - 1]!, idles[i]!)).to.equal(-1);
    expect(h.kinds().split(' ').filter((k) => k !== 'idle')).to.deep.equal([]);
    expect(h.overlaps).to.equal(0);
  });

  it('reports no idle position behind a delivered commit, and none inside a transaction', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const h = new RecordingHandler();
    h.acknowledgeIdle = source;
    await source.start(null, h, () => undefined);
    await fx.sql("INSERT INTO users (id, email) VALUES (1, 'a@example.com')");
    await waitFor(() => h.commits().length === 1, { message: 'the commit' });
    await source.acknowledge(h.commits()[0]!);
    await fx.sql("INSERT INTO audit (note) VALUES ('after')");
    await idleReaches(h, slot, await fx.currentWalLsn());
    let last: string | null = null;
    let inTx = false;
    for (const e of h.events) {
      if (e.kind === 'begin') inTx = true;
      if (e.kind === 'commit') inTx = false;
      if (e.kind === 'idle') expect(inTx, 'idle() inside a transaction').to.equal(false);
      if (e.kind === 'commit' || e.kind === 'idle') {
        if (last !== null) expect(compareLsn(e.position, last), `${e.kind} ${e.position} after ${last}`).to.equal(1);
        last = e.position;
      }
    }
  });
});
