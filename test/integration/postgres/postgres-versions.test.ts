import { expect } from 'chai';
import { failoverSlotItems } from '../../../adapters/postgres/failover-slot-check.js';
import { idleSlotTimeoutItems } from '../../../adapters/postgres/idle-slot-timeout-check.js';
import { SyncError } from '../../../src/errors.js';
import type { RowChange } from '../../../src/source.js';
import { uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

/**
 * What differs between the supported PostgreSQL versions (15-18) and how cidaas-sync meets it.
 * `npm test` runs this file on the oldest and the newest version (TEST_PG_VERSIONS=all on each):
 * a test whose behaviour depends on the version asserts the one the server under test must show.
 */

/** The database URL with a per-session setting for the walsender. */
function withSetting(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c ${name}=${value}`)}`;
}

const BIG_ROWS = 2000;

/** The `users.id` of an insert. */
function userId(change: RowChange): number {
  return Number(change.after?.id);
}

describe('PostgreSQL version differences (#18)', function () {
  let fx: PostgresSourceFixture;
  let versionNum: number;
  let version: string;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_versions');
    const r = await fx.sql<{ v: string; n: number }>("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n");
    version = r.rows[0]!.v;
    versionNum = r.rows[0]!.n;
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  it('delivers a transaction larger than logical_decoding_work_mem whole, at its commit: spilled by the server, never streamed in progress (pgoutput protocol 1) (#18)', async () => {
    const slot = fx.slotName();
    const source = fx.source({ slot, url: withSetting(fx.db.url, 'logical_decoding_work_mem', '64kB') });
    await source.prepare();
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    const big = await fx.session();
    try {
      await big.query('BEGIN');
      await big.query(`INSERT INTO users (id, email, bio) SELECT g, 'big' || g || '@example.com', repeat('x', 200) FROM generate_series(1, ${BIG_ROWS}) g`);
      // A transaction committed while the big one is open arrives on its own: nothing of the open one before it.
      await fx.sql("INSERT INTO users (id, email) VALUES (100001, 'small@example.com')");
      await waitFor(() => h.commits().length === 1, { message: () => `the small transaction, got ${h.kinds()}` });
      expect(h.transactions()[0]!.changes.map(userId)).to.deep.equal([100001]);
      await big.query('COMMIT');
    } finally {
      await big.end();
    }
    await waitFor(() => h.commits().length === 2, { timeoutMs: 30_000, message: () => `the big transaction, got ${h.events.length} calls` });
    const ids = h.transactions()[1]!.changes.map(userId);
    expect(ids).to.deep.equal(Array.from({ length: BIG_ROWS }, (_, i) => i + 1));
    const stats = await fx.sql<{ spill: string; stream: string }>(
      'SELECT spill_txns::text AS spill, stream_txns::text AS stream FROM pg_stat_replication_slots WHERE slot_name = $1', [slot]);
    expect(Number(stats.rows[0]?.spill ?? 0), 'the server spilled the big transaction to disk').to.be.greaterThan(0);
    expect(stats.rows[0]?.stream, 'nothing streamed in progress').to.equal('0');
    expect(errors).to.deep.equal([]);
    expect(h.overlaps).to.equal(0);
  });

  it('delivers a prepared transaction at COMMIT PREPARED and never one rolled back (two-phase decoding stays off) (#18)', async () => {
    const source = fx.source();
    await source.prepare();
    const h = new RecordingHandler();
    const errors: Error[] = [];
    await source.start(null, h, (e) => errors.push(e));
    const [committed, rolledBack] = [uniqueName('gid_commit'), uniqueName('gid_rollback')];
    await fx.sql(`BEGIN; INSERT INTO users (id, email) VALUES (3001, 'prepared@example.com'); PREPARE TRANSACTION '${committed}'`);
    await fx.sql(`BEGIN; INSERT INTO users (id, email) VALUES (3002, 'rolled-back@example.com'); PREPARE TRANSACTION '${rolledBack}'`);
    await fx.sql("INSERT INTO users (id, email) VALUES (3003, 'plain@example.com')");
    await waitFor(() => h.commits().length === 1, { message: () => `the plain transaction, got ${h.kinds()}` });
    await fx.sql(`COMMIT PREPARED '${committed}'`);
    await fx.sql(`ROLLBACK PREPARED '${rolledBack}'`);
    await fx.sql("INSERT INTO users (id, email) VALUES (3004, 'after@example.com')");
    await waitFor(() => h.commits().length === 3, { message: () => `three transactions, got ${h.kinds()}` });
    expect(h.transactions().map((t) => t.changes.map(userId))).to.deep.equal([[3003], [3001], [3004]]);
    expect(errors).to.deep.equal([]);
  });

  it('source.failoverSlot: a slot with FAILOVER from PostgreSQL 17 on (also for an existing slot), refused with the reason before 17 (#18)', async () => {
    const failover = async (slot: string): Promise<boolean | null> =>
      (await fx.sql<{ f: boolean | null }>('SELECT failover AS f FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.f ?? null;
    const slot = fx.slotName();
    if (versionNum >= 170000) {
      await fx.source({ slot, failoverSlot: true }).prepare();
      expect(await failover(slot)).to.equal(true);
      const existing = fx.slotName();
      await fx.sql("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [existing]);
      expect(await failover(existing)).to.equal(false);
      await fx.source({ slot: existing, failoverSlot: true }).prepare();
      expect(await failover(existing)).to.equal(true);
      await fx.source({ slot: fx.slotName(), failoverSlot: false }).prepare();
    } else {
      const err = await fx.source({ slot, failoverSlot: true }).prepare().then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(SyncError);
      expect((err as SyncError).code).to.equal('SOURCE_PREFLIGHT');
      expect((err as SyncError).message).to.match(/needs PostgreSQL 17 or later; 1[0-6]\.\d+.* has no failover slots/);
      expect((err as SyncError).hint).to.match(/source\.failoverSlot: false/);
      const made = await fx.sql('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      expect(made.rowCount, 'no slot was created').to.equal(0);
    }
  });

  it('check with source.failoverSlot explains the standby settings on 17+ and refuses the setting before 17 (#18)', async () => {
    const c = await fx.session();
    try {
      const slot = uniqueName('slot');
      expect(await failoverSlotItems(c, { slot, failoverSlot: false }, { version, versionNum }, false)).to.deep.equal([]);
      const items = await failoverSlotItems(c, { slot, failoverSlot: true }, { version, versionNum }, false);
      if (versionNum >= 170000) {
        expect(items.map((i) => [i.name, i.ok])).to.deep.equal([
          [`failover slot ${slot}`, true],
          ['synchronized_standby_slots', false],
          ['standby settings for failover', true],
        ]);
        expect(items[1]!.severity).to.equal('warning');
        expect(items[2]!.detail).to.include('sync_replication_slots = on').and.include('hot_standby_feedback = on')
          .and.include('primary_slot_name').and.include(`dbname=${fx.db.database}`).and.include('standby_slot_names');
      } else {
        expect(items).to.have.length(1);
        expect(items[0]!.ok).to.equal(false);
        expect(items[0]!.detail).to.match(/needs PostgreSQL 17 or later/);
      }
    } finally {
      await c.end();
    }
  });

  it('check warns of PostgreSQL 18\'s idle_replication_slot_timeout, which drops the slot of a stopped sidecar; nothing before 18 (#18)', async () => {
    const c = await fx.session();
    try {
      if (versionNum < 180000) {
        expect(await idleSlotTimeoutItems(c, versionNum)).to.deep.equal([]);
        return;
      }
      expect((await idleSlotTimeoutItems(c, versionNum)).map((i) => i.ok)).to.deep.equal([true]);
      await c.query("ALTER SYSTEM SET idle_replication_slot_timeout = '2d'");
      await c.query('SELECT pg_reload_conf()');
      try {
        // The reload reaches this session when it gets to it: wait for the check itself to see the
        // setting (waiting on SHOW once passed while the check's own read still saw 0: CI).
        await waitFor(async () => (await idleSlotTimeoutItems(c, versionNum))[0]?.ok === false, { message: 'the reload to reach the check' });
        const [item] = await idleSlotTimeoutItems(c, versionNum);
        expect(item!.ok).to.equal(false);
        expect(item!.detail).to.match(/^2 d: a sidecar stopped longer than that loses its slot/);
      } finally {
        await c.query('ALTER SYSTEM RESET idle_replication_slot_timeout');
        await c.query('SELECT pg_reload_conf()');
      }
    } finally {
      await c.end();
    }
  });
});
