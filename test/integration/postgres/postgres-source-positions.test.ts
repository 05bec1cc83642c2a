import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { REPLICATION_SERVICE_CONFIG, ReplicationConnection } from '../../../adapters/postgres/replication-connection.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

/** The ids of the users inserted by each delivered transaction. */
function insertedIds(h: RecordingHandler): number[][] {
  return h.transactions().map((t) => t.changes.map((c) => Number(c.after?.['id'])));
}

describe('PostgresSource: positions, acknowledgement and resume', function () {
  let fx: PostgresSourceFixture;
  let nextId = 1;
  /** Inserts `n` users, one transaction each; returns their ids. */
  async function insertUsers(n: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = nextId++;
      await fx.sql('INSERT INTO users (id, email) VALUES ($1, $2)', [id, `u${id}@example.com`]);
      ids.push(id);
    }
    return ids;
  }

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_positions');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  it('runs the library with manual acknowledgement, its own timer off and flow control on (its own timer would acknowledge unprocessed positions)', () => {
    const conn = new ReplicationConnection({
      connectionString: fx.db.url, applicationName: 'x', slot: 'x', publication: 'x', startLsn: 0n,
      onMessage: async () => undefined, onKeepalive: () => undefined, onLost: () => undefined,
    });
    expect(conn.serviceConfig).to.deep.equal({ acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });
    expect(conn.serviceConfig).to.deep.equal(REPLICATION_SERVICE_CONFIG);
  });

  it('keeps the slot at the last acknowledged position through received data and many status updates', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot, statusIntervalMs: 100 });
    await source.prepare();
    const initial = await fx.confirmedFlush(slot);
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);
    await insertUsers(3);
    await waitFor(() => h.commits().length === 3, { message: () => `3 commits, got: ${h.kinds()}` });
    await fx.statusUpdates(slot, 4);
    expect(await fx.confirmedFlush(slot)).to.equal(initial);

    const [first] = h.commits();
    await source.acknowledge(first!);
    await waitFor(async () => (await fx.confirmedFlush(slot)) === first, { message: `confirmed_flush_lsn = ${first}` });
    await fx.statusUpdates(slot, 4);
    expect(await fx.confirmedFlush(slot)).to.equal(first);
  });

  it('delivers every unacknowledged transaction again after stop() and start() (a re-subscribe on one instance would skip it)', async () => {
    const source = fx.source();
    await source.prepare();
    const h1 = new RecordingHandler();
    await source.start(null, h1, () => undefined);
    const ids = await insertUsers(3);
    await waitFor(() => h1.commits().length === 3, { message: () => `3 commits, got: ${h1.kinds()}` });
    await source.stop();

    const h2 = new RecordingHandler();
    await source.start(null, h2, () => undefined);
    await waitFor(() => h2.commits().length >= 3, { message: () => `3 commits again, got: ${h2.kinds()}` });
    expect(insertedIds(h2)).to.deep.equal(ids.map((id) => [id]));
    expect(h2.commits()).to.deep.equal(h1.commits());
  });

  it('resumes from a checkpoint with exactly the transactions after it, acknowledged or not', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const h1 = new RecordingHandler();
    await source.start(null, h1, () => undefined);
    const ids = await insertUsers(6);
    await waitFor(() => h1.commits().length === 6, { message: () => `6 commits, got: ${h1.kinds()}` });
    const positions = h1.commits();
    await source.acknowledge(positions[2]!);
    await waitFor(async () => (await fx.confirmedFlush(slot)) === positions[2], { message: 'the acknowledgement' });
    await source.stop();

    // Checkpoint stored and acknowledged.
    const h2 = new RecordingHandler();
    const acknowledged = fx.source({ slot });
    await acknowledged.start(positions[2]!, h2, () => undefined);
    await waitFor(() => h2.commits().length >= 3, { message: () => `3 commits, got: ${h2.kinds()}` });
    expect(insertedIds(h2)).to.deep.equal(ids.slice(3).map((id) => [id]));
    await acknowledged.stop();

    // Checkpoint stored, acknowledgement lost (a crash between the two).
    const h3 = new RecordingHandler();
    const unacknowledged = fx.source({ slot });
    await unacknowledged.start(positions[4]!, h3, () => undefined);
    await waitFor(() => h3.commits().length >= 1, { message: () => `1 commit, got: ${h3.kinds()}` });
    expect(insertedIds(h3)).to.deep.equal([[ids[5]]]);
    expect(await fx.confirmedFlush(slot)).to.be.oneOf([positions[2], positions[4]]);
  });

  it('reports lag and retained WAL in bytes', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);
    await fx.sql("INSERT INTO users (id, email, bio) SELECT g, 'lag' || g, repeat('x', 200) FROM generate_series(100000, 100999) g");
    await waitFor(() => h.commits().length === 1, { message: 'the insert' });
    const behind = await source.lag();
    expect(behind.bytes).to.be.greaterThan(200_000);
    expect(behind.retainedBytes).to.be.at.least(behind.bytes!);
    await source.acknowledge(h.commits()[0]!);
    await waitFor(async () => (await fx.confirmedFlush(slot)) === h.commits()[0], { message: 'the acknowledgement' });
    const caughtUp = await source.lag();
    expect(caughtUp.bytes).to.be.lessThan(behind.bytes! - 200_000);
    await fx.sql('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
  });

  it('gives SOURCE_POSITION_LOST with the backfill --restart hint when the slot was dropped or recreated', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);
    await insertUsers(1);
    await waitFor(() => h.commits().length === 1, { message: 'the insert' });
    const checkpoint = h.commits()[0]!;
    await source.acknowledge(checkpoint);
    await source.stop();
    await waitFor(async () => (await fx.activePid(slot)) === null, { message: 'the slot to be released' });
    await fx.sql('SELECT pg_drop_replication_slot($1)', [slot]);

    const dropped: unknown = await fx.source({ slot }).start(checkpoint, new RecordingHandler(), () => undefined).then(() => null, (e: unknown) => e);
    expect(dropped).to.be.instanceOf(SyncError);
    expect((dropped as SyncError).code).to.equal('SOURCE_POSITION_LOST');
    expect((dropped as SyncError).hint).to.contain('cidaas-sync backfill --restart');

    // prepare() recreates the slot, ahead of the checkpoint: the changes between are gone.
    await insertUsers(1);
    const recreated = fx.source({ slot });
    await recreated.prepare();
    const behind: unknown = await recreated.start(checkpoint, new RecordingHandler(), () => undefined).then(() => null, (e: unknown) => e);
    expect((behind as SyncError).code).to.equal('SOURCE_POSITION_LOST');
    expect((behind as SyncError).hint).to.contain('cidaas-sync backfill --restart');
  });

  it('reports SOURCE_POSITION_LOST through onError when the slot is dropped while streaming', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot, reconnectMinMs: 1_000, reconnectMaxMs: 1_000 });
    await source.prepare();
    const errors: Error[] = [];
    await source.start(null, new RecordingHandler(), (e) => errors.push(e));
    const pid = await fx.activePid(slot);
    await fx.sql('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor(async () => (await fx.activePid(slot)) === null, { message: 'the walsender to exit' });
    await fx.sql('SELECT pg_drop_replication_slot($1)', [slot]);
    await waitFor(() => errors.length > 0, { message: 'onError' });
    expect(errors).to.have.length(1);
    expect((errors[0] as SyncError).code).to.equal('SOURCE_POSITION_LOST');
    expect((errors[0] as SyncError).hint).to.contain('cidaas-sync backfill --restart');
  });
});
