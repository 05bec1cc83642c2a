import { expect } from 'chai';
import { request } from 'undici';
import { base32Encode } from '../../../src/mfa/base32.js';
import { killAllSidecars } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { passwordPool } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { TableNames } from '../../../src/state/entities/table-names.js';
import { openRawSqlite } from '../fixtures/raw-sqlite.js';
import { openSidecarFixture, type SidecarFixture } from './sidecar-fixture.js';

/**
 * Makes the SQLite state store refuse to store the outcome of one user (by sub), or of any user it
 * holds no row for yet, with a trigger: the push reaches cidaas, storing what it did fails, and the
 * sidecar stops there as a kill -9 would have stopped it. (Holding the whole file's write lock
 * instead froze the sidecar's event loop in its busy waits, so on a loaded machine the push itself
 * could not get out: CI.)
 */
function refuseOutcomes(statePath: string, sub: string): { storedSubs(sub: string): number; lift(): void } {
  const db = openRawSqlite(statePath);
  const table = TableNames.userState;
  const when = sub === 'a user not stored yet'
    ? `NEW.sub NOT IN (SELECT sub FROM ${table})`
    : `NEW.sub = '${sub.replace(/'/g, "''")}'`;
  db.exec(`CREATE TRIGGER test_refuse_insert BEFORE INSERT ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  db.exec(`CREATE TRIGGER test_refuse_update BEFORE UPDATE ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  return {
    storedSubs: (s) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE sub = ?`).all(s)[0] as { n: number }).n,
    lift() {
      db.exec('DROP TRIGGER IF EXISTS test_refuse_insert');
      db.exec('DROP TRIGGER IF EXISTS test_refuse_update');
      db.close();
    },
  };
}

/**
 * The chaos runs' findings (issue 8), each cut down to the few steps that show it every time.
 */
export function defineChaosRegressions(kind: ShopDbKind): void {
  describe(`chaos findings against ${kind} (issue 8)`, function () {
    this.timeout(120_000);
    let f: SidecarFixture;

    beforeEach(async () => {
      f = await openSidecarFixture(kind, { users: 20 });
    });

    afterEach(async () => {
      await killAllSidecars();
      await f?.close();
    });

    it('purges a deleted user whose push reached cidaas but whose outcome was never stored (kill -9 in between)', async () => {
      const { p } = await f.start();
      await f.converge(p);
      // The state store refuses the new user's outcome: the push goes through, storing it fails.
      const refusal = refuseOutcomes(f.config.statePath, 'a user not stored yet');
      let id: number;
      try {
        id = await f.target.db.insertUser({ email: 'between.push.and.store@example.org', first_name: 'Between' });
        await waitFor(() => f.emu.getUser(`legacy-${id}`) !== undefined || p.exit !== undefined, { timeoutMs: 30_000, message: 'the push of the new user' });
        expect(f.emu.getUser(`legacy-${id}`), 'the push of the new user').to.not.equal(undefined);
        await p.kill9();
        expect(refusal.storedSubs(`legacy-${id}`), 'the outcome of the push was stored').to.equal(0);
      } finally {
        refusal.lift();
      }
      await f.target.db.hardDelete(id);
      const next = await f.start();
      await f.converge(next.p, 30_000);
    });

    it('pushes a change undone after a push whose outcome was never stored (kill -9 in between)', async () => {
      const { p } = await f.start();
      await f.converge(p);
      const id = f.seeded.ids.find((k) => f.seeded.totpOf(k) === null)!;
      const sub = `legacy-${id}`;
      const refusal = refuseOutcomes(f.config.statePath, sub);
      try {
        await f.target.db.setTotp(id, base32Encode(Buffer.alloc(20, 9)), true);
        await waitFor(() => f.emu.getUser(sub)?.mfa_enabled === true || p.exit !== undefined, { timeoutMs: 30_000, message: 'the push of the new TOTP device' });
        expect(f.emu.getUser(sub)?.mfa_enabled, 'the push of the new TOTP device').to.equal(true);
        await p.kill9();
      } finally {
        refusal.lift();
      }
      // Back to what the state store says was pushed last: no MFA.
      await f.target.db.setTotp(id, null, false);
      const next = await f.start();
      await f.converge(next.p, 30_000);
    });

    it('waits out a state store locked by another process for longer than its busy timeout, answering /healthz meanwhile, and converges (CI finding, #15)', async () => {
      const { p, port } = await f.start();
      await f.converge(p);
      const lock = openRawSqlite(f.config.statePath);
      lock.exec('BEGIN EXCLUSIVE');
      try {
        await f.target.db.insertUser({ email: 'during.the.lock@example.org', first_name: 'During' });
        // A write that meets the lock (the checkpoint after this change) waits for it 5 s, fails,
        // and is retried: the second busy timeout passing shows the first one did not stop it.
        // All the while the process answers: the driver's own busy wait, which blocks the event
        // loop, is a few ms; the rest of the waiting is asynchronous. (A 5 s synchronous busy
        // wait would leave a /healthz request unanswered past its deadline.)
        await waitFor(async () => {
          const res = await request(`http://127.0.0.1:${port}/healthz`, { headersTimeout: 1500, bodyTimeout: 1500 });
          await res.body.dump();
          expect(res.statusCode, '/healthz while the state store is locked').to.equal(200);
          return p.lines.some((l) => /^storing .* failed; retrying for up to \d+ s before stopping$/.test(l.message)) || p.exit !== undefined;
        }, { timeoutMs: 30_000, intervalMs: 100, message: 'a state store write meeting the lock' });
        expect(p.exit, 'the sidecar stopped on a locked state store').to.equal(undefined);
      } finally {
        lock.exec('ROLLBACK');
        lock.close();
      }
      await f.converge(p, 30_000);
      await waitFor(() => p.lines.some((l) => /^the state store takes writes again/.test(l.message)), { timeoutMs: 30_000, message: 'the write once the lock is gone' });
      expect(p.exit).to.equal(undefined);
    });

    it('gives a re-inserted key none of the deleted user\'s password or MFA', async () => {
      const { p } = await f.start();
      const [pw] = await passwordPool();
      const id = await f.target.db.insertUser({ email: 'first.owner@example.org', first_name: 'First', login: 'first_owner' });
      await f.target.db.setPassword(id, pw!.hash);
      await f.target.db.setTotp(id, base32Encode(Buffer.alloc(20, 7)), true);
      await f.converge(p);
      await f.target.db.transaction(async (tx) => {
        await tx.hardDelete(id);
        await tx.query('INSERT INTO users (id, email, first_name, login) VALUES (?, ?, ?, ?)', [id, 'second.owner@example.org', 'Second', 'second_owner']);
      });
      await f.converge(p, 45_000);
    });

    it('does not take a deleted credentials row for a stale read when its id equals the user id', async () => {
      // The line per push is at debug level (#15).
      const { p } = await f.start({ LOG_LEVEL: 'debug' });
      await f.converge(p);
      // Seeded users got their credentials rows in the same order: the ids are equal.
      const id = f.seeded.ids[0]!;
      const [row] = await f.target.db.query('SELECT id FROM credentials WHERE user_id = ?', [id]);
      expect(Number(row?.['id']), 'precondition: credentials.id = users.id').to.equal(id);
      const seen = p.lines.length;
      await f.target.db.query('DELETE FROM credentials WHERE user_id = ?', [id]);
      const line = await p.waitForLine((l) => l['key'] === String(id) && (l.message === 'user.updated' || l.level === 'warn'), 10_000);
      expect(line.message, JSON.stringify(p.lines.slice(seen))).to.equal('user.updated');
    });
  });
}
