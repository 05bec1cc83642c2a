import { expect } from 'chai';
import type pg from 'pg';
import { compareLsn } from '../../../adapters/postgres/lsn.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

describe('PostgresSource: currentPosition()', function () {
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_position');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  async function reloadSynchronousStandbys(value: string | null): Promise<void> {
    await fx.sql(value === null ? 'ALTER SYSTEM RESET synchronous_standby_names' : `ALTER SYSTEM SET synchronous_standby_names = '${value}'`);
    await fx.sql('SELECT pg_reload_conf()');
  }

  /**
   * Commits a new user in `writer` and returns once the commit is stuck waiting for a synchronous
   * standby that never comes: in WAL and in the commit log, still invisible to other sessions.
   */
  async function commitStuckInSyncRep(writer: pg.Client, pid: number): Promise<{ id: number; commit: Promise<unknown> }> {
    for (let id = 900; id < 920; id++) {
      await writer.query('BEGIN');
      await writer.query("INSERT INTO users (id, email) VALUES ($1, 'sync@example.com')", [id]);
      let done = false;
      const commit = writer.query('COMMIT').finally(() => {
        done = true;
      });
      let waiting = false;
      await waitFor(async () => {
        const r = await fx.sql<{ w: string | null }>('SELECT wait_event AS w FROM pg_stat_activity WHERE pid = $1', [pid]);
        waiting = r.rows[0]?.w === 'SyncRep';
        return waiting || done;
      }, { message: 'the commit to wait for the standby or finish' });
      if (waiting) return { id, commit };
      await commit; // the checkpointer had not read the new setting yet: try again
    }
    throw new Error('no commit waited for the synchronous standby');
  }

  it('returns only once every transaction committed before the position is visible to new reads', async function () {
    const source = fx.source();
    const writer = await fx.session();
    try {
      const pid = (await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await reloadSynchronousStandbys('cidaas_sync_test_nobody');
      await writer.query('SET synchronous_commit = on');
      await waitFor(async () => (await writer.query<{ v: string }>("SELECT current_setting('synchronous_standby_names') AS v")).rows[0]?.v === 'cidaas_sync_test_nobody', { message: 'the reload' });
      const { id, commit } = await commitStuckInSyncRep(writer, pid);
      const committedAt = await fx.currentWalLsn();
      const visible = async (): Promise<boolean> => (await fx.sql('SELECT 1 FROM users WHERE id = $1', [id])).rowCount === 1;
      expect(await visible(), 'the committed row before the standby answers').to.equal(false);

      let resolved = false;
      const position = source.currentPosition().finally(() => {
        resolved = true;
      });
      await waitFor(async () => {
        const r = await fx.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'cidaas-sync' AND query LIKE '%backend_xid::text = ANY%'");
        return r.rowCount === 1;
      }, { message: 'currentPosition() to check visibility' });
      expect(resolved, 'currentPosition() resolved while the commit was invisible').to.equal(false);

      await reloadSynchronousStandbys(null);
      await commit;
      const p = await position;
      expect(await visible()).to.equal(true);
      expect(compareLsn(p, committedAt)).to.be.at.least(0);
    } finally {
      await reloadSynchronousStandbys(null);
      await writer.end();
    }
  });

  it('returns a position from which streaming delivers the transactions committed after it, and none before', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    await fx.sql("INSERT INTO users (id, email) VALUES (1, 'before@example.com')");
    const position = await source.currentPosition();
    await fx.sql("INSERT INTO users (id, email) VALUES (2, 'after@example.com')");
    const h = new RecordingHandler();
    await source.start(position, h, () => undefined);
    await waitFor(() => h.transactions().some((t) => t.changes.some((c) => c.after?.['id'] === 2)), { message: () => `the insert after, got ${h.kinds()}` });
    const ids = h.transactions().flatMap((t) => t.changes.map((c) => c.after?.['id']));
    expect(ids[ids.length - 1]).to.equal(2);
    expect(ids.filter((i) => i === 2)).to.have.length(1);
  });
});
