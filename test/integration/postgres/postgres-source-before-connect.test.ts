import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

/**
 * High availability (#14): the replication stream asks before every (re)connect (`beforeConnect`,
 * the lease); a refusal stops it for good instead of taking the slot the new holder waits for.
 */
describe('PostgresSource: beforeConnect (#14)', function () {
  this.timeout(60_000);
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_before_connect');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  const refused = (): SyncError => new SyncError('LEASE_LOST', 'this replica no longer holds the lease: a test took it');

  it('asks before every reconnect and, refused, stops with the refusal instead of taking the slot again', async () => {
    const slot = fx.slotName();
    let asked = 0;
    let allowed = true;
    const log = new MemoryLogger();
    const source = fx.source({ slot, logger: log, beforeConnect: () => {
      asked++;
      if (!allowed) throw refused();
    } });
    await source.prepare();
    const errors: Error[] = [];
    const h = new RecordingHandler();
    await source.start(null, h, (err) => errors.push(err));
    expect(asked).to.equal(1);
    await fx.sql("INSERT INTO users (id, email) VALUES (1, 'a@example.com')");
    await waitFor(() => h.commits().length === 1, { message: 'the first transaction' });

    // The lease is gone; the session ends (its walsender terminated).
    allowed = false;
    await fx.sql('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    await waitFor(() => errors.length > 0, { message: 'the stream to stop on the refusal' });
    expect(errors.map((e) => (e as SyncError).code)).to.deep.equal(['LEASE_LOST']);
    expect(asked).to.equal(2);
    expect(await fx.activePid(slot)).to.equal(null);
    expect(log.lines.filter((l) => l.message === 'streaming')).to.have.length(1);
  });

  it('refuses to start, leaving the slot free, when the first connect is refused', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot, beforeConnect: () => { throw refused(); } });
    await source.prepare();
    const err = await source.start(null, new RecordingHandler(), () => undefined).then(() => null, (e: unknown) => e);
    expect((err as SyncError).code).to.equal('LEASE_LOST');
    expect(await fx.activePid(slot)).to.equal(null);
  });
});
