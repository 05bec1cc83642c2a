import { expect } from 'chai';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { waitForConvergence } from '../../support/convergence.js';
import { killAllSidecars, type SidecarLine, type SidecarProcess } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';
import { count, ReplicaSet, STEPPED_DOWN } from './replica-set.js';

const CLIENT_ID = 'ha-resumed';
const CLIENT_SECRET = 'ha-resumed-secret-3141';
/** How long the emulator holds the old holder's push: far longer than a takeover takes. */
const HELD_PUSH_MS = 20_000;

/** What the source logs for a lost connection and for a session that streams (the log reader's own lines). */
const LOG = {
  mysql: { lost: 'binlog connection lost; reconnecting', component: 'mysql-source' },
  postgres: { lost: 'replication connection lost; reconnecting', component: 'postgres-source' },
} as const;

/** The log reader's "streaming" lines of `p` from line `from` on (each one a (re)connect that worked). */
function sourceSessions(p: SidecarProcess, kind: ShopDbKind, from = 0): number {
  return p.lines.slice(from).filter((l) => l.message === 'streaming' && l['component'] === LOG[kind].component).length;
}

/** The first line of `p` from line `from` on with `message` from `component`. */
function firstLine(p: SidecarProcess, message: string, component: string, from = 0): SidecarLine | undefined {
  return p.lines.slice(from).find((l) => l.message === message && l['component'] === component);
}

/**
 * The server's id of the connection that reads the log for this database: MariaDB's `Binlog Dump`
 * thread, PostgreSQL's walsender on the slot. null when none.
 */
async function logReaderId(target: SyncTarget, slot: string): Promise<string | null> {
  const rows = target.kind === 'mysql'
    ? await target.db.query(`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' AND DB = DATABASE()`)
    : await target.db.query('SELECT active_pid AS id FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot]);
  if (rows.length > 1) throw new Error(`${rows.length} connections read the log of this database at once`);
  return rows[0] ? String(rows[0]['id']) : null;
}

/**
 * The loose end of #14: a holder paused (SIGSTOP) past its lease with a push in flight, resumed
 * after the other replica took over. Its log reader must stop the moment it learns the lease is
 * lost, before any reconnect: on MariaDB its binlog connection was cut by the new holder's (one
 * server id for every replica: the server drops the older dump), and a reconnect with that id
 * would in turn cut off the new holder's. On PostgreSQL the new holder waits for the slot until
 * the old walsender ends, so the old holder must let the slot go at once too, not after its
 * held push has come back.
 */
export function defineResumedHolderSuite(kind: ShopDbKind): void {
  describe(`a holder resumed after losing its lease, against ${kind} (#14)`, function () {
    this.timeout(150_000);
    let target: SyncTarget;
    let emu: RunningEmulator;
    let config: ShopConfigFile;
    const slot = `resumed_${process.pid}`;

    before(async () => {
      target = await createSyncTarget(kind);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      await seedUsers(target.db, 20, 31);
      config = await writeShopConfig({
        kind, sourceUrl: target.url, publication: target.publication, slot, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
        stateUrl: target.url, extra: { ha: { enabled: true, leaseSeconds: 3 } },
      });
    });

    after(async () => {
      await killAllSidecars();
      await emu.close();
      await target.drop();
      await config.remove();
    });

    it('stops its log reader before any reconnect: the new holder\'s log connection is never cut off', async () => {
      const set = new ReplicaSet(config.path);
      const old = set.spawn();
      await set.currentActive();
      expect(set.isActive(old)).to.equal(true);
      await waitForConvergence(target.db, emu, { timeoutMs: 60_000 });
      const next = set.spawn();

      // A push of the old holder in flight, held by the emulator, when it is paused.
      const applied = emu.stats().faultsApplied;
      emu.addFaults([{ path: '/users-srv/user/bulk', method: 'POST', delayMs: HELD_PUSH_MS, times: 1 }]);
      await target.db.query(`UPDATE users SET first_name = 'Resumed' WHERE id = (SELECT MIN(id) FROM (SELECT id FROM users WHERE deleted_at IS NULL) AS u)`);
      await waitFor(() => emu.stats().faultsApplied === applied + 1, { timeoutMs: 30_000, message: 'the old holder\'s push to reach the emulator' });
      const before = set.snapshot();
      set.pause(old);
      await set.newActive(before);
      expect(set.isActive(next)).to.equal(true);
      // MariaDB: the new holder streams at once (its dump cut the paused one's). PostgreSQL: it waits for the slot.
      if (kind === 'mysql') await set.currentActive();
      const oldLines = old.lines.length;
      const oldDown = count(old, STEPPED_DOWN);
      set.resume(old);

      const active = await set.currentActive();
      expect(active).to.equal(next);
      const readerId = await logReaderId(target, slot);
      expect(readerId, 'the new holder reads the log').to.not.equal(null);
      await waitFor(() => count(old, STEPPED_DOWN) > oldDown, { timeoutMs: HELD_PUSH_MS + 30_000, message: 'the old holder to step down' });
      // The old holder let go of the log at once, not when its held push came back (it steps down only after that).
      expect(Date.parse(String(firstLine(next, 'streaming', 'runner')?.timestamp)), 'the new holder streamed before the old one stepped down')
        .to.be.below(Date.parse(String(firstLine(old, STEPPED_DOWN, 'ha', oldLines)?.timestamp)));

      // Everything the old holder's wind-down could have done is done: its source never connected again,
      // and the new holder's log connection is the one it opened.
      expect(sourceSessions(old, kind, oldLines), 'sessions of the old holder after it resumed').to.equal(0);
      await waitForConvergence(target.db, emu, { timeoutMs: 60_000 });
      expect(count(next, LOG[kind].lost), 'connections the new holder lost').to.equal(0);
      expect(sourceSessions(next, kind), 'sessions of the new holder').to.equal(1);
      expect(await logReaderId(target, slot)).to.equal(readerId);
      expect(old.exit, 'the old holder keeps running as standby').to.equal(undefined);
    });
  });
}
