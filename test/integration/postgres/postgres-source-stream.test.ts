import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { compareLsn } from '../../../adapters/postgres/lsn.js';
import { SyncError } from '../../../src/errors.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

describe('PostgresSource: preparing and streaming changes', function () {
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_stream');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  it('creates a pgoutput slot on the first prepare() and leaves it alone on the next', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const first = await fx.sql('SELECT plugin, slot_type, database, restart_lsn::text AS r FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    expect(first.rows).to.have.length(1);
    expect(first.rows[0]).to.include({ plugin: 'pgoutput', slot_type: 'logical', database: fx.db.database });
    await fx.sql("INSERT INTO audit (note) VALUES ('moves the WAL on')");
    await fx.source({ slot }).prepare();
    const second = await fx.sql('SELECT restart_lsn::text AS r FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    expect(second.rows).to.deep.equal([{ r: first.rows[0]!.r }]);
  });

  it('refuses a missing publication with SOURCE_PREFLIGHT and the CREATE PUBLICATION to run', async () => {
    const source = fx.source({ publication: 'no_such_publication' });
    const err: unknown = await source.prepare().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(SyncError);
    const e = err as SyncError;
    expect(e.code).to.equal('SOURCE_PREFLIGHT');
    expect(e.hint).to.contain('CREATE PUBLICATION "no_such_publication" FOR TABLE "public"."users", "public"."passwords";');
  });

  it('refuses a slot of another output plugin with SOURCE_PREFLIGHT', async () => {
    const slot = fx.slotName();
    await fx.sql("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
    const err: unknown = await fx.source({ slot }).prepare().then(() => null, (e: unknown) => e);
    expect((err as SyncError).code).to.equal('SOURCE_PREFLIGHT');
    expect((err as SyncError).hint).to.contain('pg_drop_replication_slot');
  });

  it('delivers inserts, updates, deletes and truncates of configured tables only, with their row images and increasing commit positions', async () => {
    const source = fx.source();
    await source.prepare();
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    await fx.transactions(
      "INSERT INTO users (id, email, name) VALUES (1, 'ada@example.com', 'Ada')",
      "UPDATE users SET name = 'Ada L.' WHERE id = 1",
      'UPDATE users SET id = 2 WHERE id = 1',
      'DELETE FROM users WHERE id = 2',
      "INSERT INTO passwords (user_id, hash) VALUES (7, 'h1')",
      "UPDATE passwords SET hash = 'h2' WHERE user_id = 7",
      'DELETE FROM passwords WHERE user_id = 7',
      'INSERT INTO sessions (user_id) VALUES (3)',
      "INSERT INTO audit (note) VALUES ('not published')",
    );
    const mixed = await fx.session();
    try {
      await mixed.query('BEGIN');
      await mixed.query('INSERT INTO sessions (user_id) VALUES (4)');
      await mixed.query("INSERT INTO users (id, email) VALUES (4, 'bob@example.com')");
      await mixed.query('COMMIT');
    } finally {
      await mixed.end();
    }
    await fx.transactions('TRUNCATE users, sessions');
    await waitFor(() => h.transactions().length >= 9, { message: () => `9 transactions, got: ${h.kinds()}` });

    const txs = h.transactions();
    const users = { table: 'public.users', keyColumns: ['id'] };
    const passwords = { table: 'public.passwords', keyColumns: ['user_id'] };
    const full = (id: number, email: string, name: string | null) => ({ id, email, name, bio: null });
    expect(txs.map((t) => [t.changes, t.truncates])).to.deep.equal([
      [[{ ...users, op: 'insert', before: null, after: full(1, 'ada@example.com', 'Ada') }], []],
      [[{ ...users, op: 'update', before: null, after: full(1, 'ada@example.com', 'Ada L.') }], []],
      [[{ ...users, op: 'update', before: { id: 1 }, after: full(2, 'ada@example.com', 'Ada L.') }], []],
      [[{ ...users, op: 'delete', before: { id: 2 }, after: null }], []],
      [[{ ...passwords, op: 'insert', before: null, after: { user_id: 7, hash: 'h1' } }], []],
      [[{ ...passwords, op: 'update', before: { user_id: 7, hash: 'h1' }, after: { user_id: 7, hash: 'h2' } }], []],
      [[{ ...passwords, op: 'delete', before: { user_id: 7, hash: 'h2' }, after: null }], []],
      [[{ ...users, op: 'insert', before: null, after: full(4, 'bob@example.com', null) }], []],
      [[], [['public.users']]],
    ]);
    const positions = txs.map((t) => t.position);
    for (let i = 1; i < positions.length; i++) expect(compareLsn(positions[i - 1]!, positions[i]!)).to.equal(-1);
    expect(errors).to.deep.equal([]);
    expect(h.overlaps).to.equal(0);
  });

  it('delivers an unchanged TOASTed column of an update as undefined in the after image', async () => {
    const source = fx.source();
    await source.prepare();
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);
    const bio = randomBytes(15_000).toString('base64'); // 20 kB that does not compress below the TOAST threshold
    await fx.transactions(
      `INSERT INTO users (id, email, bio) VALUES (10, 'toast@example.com', '${bio}')`,
      "UPDATE users SET name = 'Toasty' WHERE id = 10",
    );
    await waitFor(() => h.transactions().length >= 2, { message: () => `2 transactions, got: ${h.kinds()}` });
    const [insert, update] = h.transactions().map((t) => t.changes[0]!);
    expect(insert!.after!['bio']).to.equal(bio);
    expect(update!.after).to.have.property('bio');
    expect(update!.after!['bio']).to.equal(undefined);
    expect(update!.after).to.deep.include({ id: 10, email: 'toast@example.com', name: 'Toasty' });
  });

  it('stops streaming and reports through onError when the handler throws', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    const h = new RecordingHandler();
    h.hold = (e) => (e.kind === 'change' ? Promise.reject(new Error('the engine broke')) : undefined);
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    await fx.transactions("INSERT INTO users (id, email) VALUES (20, 'x@example.com')", "INSERT INTO users (id, email) VALUES (21, 'y@example.com')");
    await waitFor(() => errors.length > 0, { message: 'onError' });
    await waitFor(async () => (await fx.activePid(slot)) === null, { message: 'the session to end' });
    expect(errors.map((e) => e.message)).to.deep.equal(['the engine broke']);
    expect(h.events.filter((e) => e.kind !== 'idle').map((e) => e.kind)).to.deep.equal(['begin', 'change']);
  });
});
