import { expect } from 'chai';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import type { LegacyReader } from '../../../src/legacy-reader.js';
import { readerTables } from '../../../src/app/pipeline-tables.js';
import { totpCode } from '../../../tools/totp.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { randomBytes } from 'node:crypto';
import { waitForConvergence } from '../../support/convergence.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { newPassword, seedUsers, type SeededUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from './sync-target.js';

const CLIENT_ID = 'sync-suite';
const CLIENT_SECRET = 'sync-suite-secret-4711';

async function login(emu: RunningEmulator, sub: string, password: string): Promise<boolean> {
  const r = await request(`${emu.url}/_emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, password }) });
  return ((await r.body.json()) as { ok: boolean }).ok;
}

async function totpOk(emu: RunningEmulator, sub: string, secret: string): Promise<boolean> {
  const r = await request(`${emu.url}/_emulator/totp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, code: totpCode(secret) }) });
  return ((await r.body.json()) as { ok: boolean }).ok;
}

function bulkCalls(emu: RunningEmulator): number {
  const s = emu.stats() as { requests: Record<string, Record<string, number>> };
  return Object.values(s.requests['POST /users-srv/user/bulk'] ?? {}).reduce((a, b) => a + b, 0);
}

/** Resolves once the stored checkpoint has passed the end of the log as it is now: everything before is processed. */
async function caughtUp(sidecar: InProcessSidecar, timeoutMs = 30_000): Promise<void> {
  const target = await sidecar.pipeline.source.currentPosition();
  await waitFor(async () => {
    const cp = await sidecar.pipeline.store.getCheckpoint();
    return cp !== null && sidecar.pipeline.source.comparePositions(cp.position, target) >= 0;
  }, { timeoutMs, message: 'the checkpoint did not reach the end of the log' });
}

/**
 * The spine's integration suite, the same for every source database: backfill, every change kind,
 * coalescing, faults, dead letters and the visibility race, against the emulator over real HTTP.
 */
export function defineSyncSuite(kind: ShopDbKind, opts: { users: number }): void {
  describe(`sync against ${kind}`, function () {
    this.timeout(180_000);
    let target: SyncTarget;
    let emu: RunningEmulator;
    let config: ShopConfigFile;
    let seeded: SeededUsers;
    let sidecar: InProcessSidecar;

    before(async () => {
      target = await createSyncTarget(kind);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      seeded = await seedUsers(target.db, opts.users, 7);
      config = await writeShopConfig({
        kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url,
        clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, concurrency: 4,
        // A known limit far above what runs here: this suite is about what lands, and its 429 case
        // then covers backing off below a configured limit. The slow start with the limit unknown
        // has its own tests (dispatch-governor-rate-limit, the governor's unit tests); here it only
        // stretched a 20,000-user backfill from 5 s to 26-50 s.
        extra: { cidaas: { maxCallsPerSecond: 1000 } },
      });
      sidecar = await startInProcessSidecar(config.path);
    });

    after(async () => {
      await sidecar?.stop();
      await emu?.close();
      await target?.drop();
      await config?.remove();
    });

    it(`backfills ${opts.users} users with every mapped field, the password and the TOTP secret`, async () => {
      await sidecar.streaming();
      const r = await waitForConvergence(target.db, emu, { timeoutMs: 60_000 });
      expect(r.live).to.equal(opts.users);
      // Passwords and TOTP secrets are checked the way cidaas will use them.
      for (const id of seeded.ids.slice(0, 20)) expect(await login(emu, `legacy-${id}`, seeded.passwordOf(id)), `login of ${id}`).to.equal(true);
      const withTotp = seeded.ids.filter((id) => seeded.totpOf(id) !== null).slice(0, 5);
      expect(withTotp).to.not.be.empty;
      for (const id of withTotp) expect(await totpOk(emu, `legacy-${id}`, seeded.totpOf(id)!), `totp of ${id}`).to.equal(true);
      const progress = await sidecar.pipeline.store.getBackfill();
      expect(progress?.status).to.equal('done');
      expect(progress?.usersDone).to.equal(opts.users);
    });

    it('streams inserts, updates of each mapped field, soft and hard deletes, password and MFA changes', async () => {
      const [a, b, c, d, e, f, g, h] = seeded.ids.slice(100, 108) as [number, number, number, number, number, number, number, number];
      const fresh = await target.db.insertUser({ email: 'fresh.user@example.org', first_name: 'Fresh', last_name: 'User', phone: '+4915199990000', login: 'fresh_user', customer_number: 'C-NEW-1', email_confirmed: true });
      const freshPw = await newPassword();
      await target.db.setPassword(fresh, freshPw.hash);
      await target.db.updateUser(a, { email: 'changed.email@example.org' });
      await target.db.updateUser(b, { first_name: 'Renamed', last_name: 'Person' });
      await target.db.updateUser(c, { phone: '+4915100000001', login: 'new_login_c', customer_number: 'C-CHANGED', email_confirmed: false });
      await target.db.softDelete(d);
      await target.db.hardDelete(e);
      const pw = await newPassword();
      await target.db.setPassword(f, pw.hash);
      const secret = base32Encode(randomBytes(20));
      await target.db.setTotp(g, secret, true);
      await target.db.setTotp(h, null, false);
      await waitForConvergence(target.db, emu, { timeoutMs: 30_000 });
      expect(emu.getUser(`legacy-${d}`)).to.equal(undefined);
      expect(emu.getUser(`legacy-${e}`)).to.equal(undefined);
      expect(await login(emu, `legacy-${f}`, pw.plain)).to.equal(true);
      expect(await login(emu, `legacy-${f}`, seeded.passwordOf(f))).to.equal(false);
      expect(await login(emu, `legacy-${fresh}`, freshPw.plain)).to.equal(true);
      expect(await totpOk(emu, `legacy-${g}`, secret)).to.equal(true);
      expect(emu.getUser(`legacy-${h}`)?.mfa_enabled).to.not.equal(true);
      const events = await sidecar.metrics.domainEvents.get();
      const count = (type: string) => events.values.find((v) => v.labels.type === type)?.value ?? 0;
      for (const type of ['user.created', 'user.updated', 'user.deleted', 'email.changed', 'password.changed', 'mfa.changed']) {
        expect(count(type), type).to.be.greaterThan(0);
      }
    });

    it('1,000 updates of one user cost at most 3 pushes per second they take to commit', async () => {
      const id = seeded.ids[200]!;
      await caughtUp(sidecar);
      const before = bulkCalls(emu);
      const started = Date.now();
      for (let i = 0; i < 1000; i++) await target.db.updateUser(id, { last_name: `Burst${i}` });
      const elapsed = Date.now() - started;
      await waitForConvergence(target.db, emu);
      await caughtUp(sidecar);
      const pushes = bulkCalls(emu) - before;
      // Within a second (the usual case) that is 3. On a loaded machine the updates themselves take
      // several seconds, and the changes of each second are pushed as they come: 3 per second.
      expect(pushes, `${pushes} pushes for 1,000 updates in ${elapsed} ms`).to.be.at.most(3 * Math.max(1, Math.ceil(elapsed / 1000)));
      expect(emu.getUser(`legacy-${id}`)?.family_name).to.equal('Burst999');
    });

    it('100 updates that touch only an ignored column cost no push', async () => {
      await caughtUp(sidecar);
      const before = bulkCalls(emu);
      for (const id of seeded.ids.slice(300, 400)) await target.db.touchLastLogin(id);
      await caughtUp(sidecar);
      expect(bulkCalls(emu) - before).to.equal(0);
    });

    it('converges through 429s with and without Retry-After, 5xx answers and dropped connections', async () => {
      emu.addFaults([
        { path: '/users-srv/user/bulk', status: 429, retryAfter: 1, times: 2 },
        { path: '/users-srv/user/bulk', status: 429, retryAfter: null, times: 2 },
        { path: '/users-srv/user/bulk', status: 503, times: 3 },
        { path: '/users-srv/user/bulk', drop: true, times: 2 },
        { path: '/users-srv/user/purge/*', status: 500, times: 1 },
      ]);
      const ids = seeded.ids.slice(500, 560);
      for (const id of ids) await target.db.updateUser(id, { first_name: `Faulty${id}` });
      await target.db.hardDelete(seeded.ids[561]!);
      await waitForConvergence(target.db, emu, { timeoutMs: 60_000 });
      expect(emu.stats().faultsApplied).to.be.greaterThan(0);
    });

    it('a user cidaas refuses lands in the dead-letter list with its message while the others go through, and is tried again when it changes', async () => {
      const bad = seeded.ids[600]!;
      const badEmail = 'refused.user@example.org';
      emu.addFaults([{ failEmail: badEmail, message: 'user rejected by tenant policy' }]);
      await target.db.updateUser(bad, { email: badEmail });
      const others = seeded.ids.slice(601, 611);
      for (const id of others) await target.db.updateUser(id, { last_name: `Neighbour${id}` });
      await waitFor(async () => (await sidecar.pipeline.store.getDeadLetters([String(bad)])).has(String(bad)), { timeoutMs: 30_000, message: 'no dead letter' });
      const dl = (await sidecar.pipeline.store.getDeadLetters([String(bad)])).get(String(bad))!;
      expect(dl.reason).to.contain('user rejected by tenant policy');
      await waitForConvergence(target.db, emu, { expectDeadLetters: [`legacy-${bad}`] });
      // The legacy side fixes the user: it is pushed again and leaves the list.
      await target.db.updateUser(bad, { email: 'accepted.again@example.org' });
      await waitFor(async () => !(await sidecar.pipeline.store.getDeadLetters([String(bad)])).has(String(bad)), { timeoutMs: 30_000, message: 'still a dead letter' });
      await waitForConvergence(target.db, emu);
    });

    it('the checkpoint (and the PostgreSQL slot) advance while only unrelated tables change, and while nothing changes', async () => {
      await caughtUp(sidecar);
      const calls = bulkCalls(emu);
      for (let i = 0; i < 20; i++) await target.db.insertOrder(seeded.ids[i]!, 10 + i);
      const afterOrders = await sidecar.pipeline.source.currentPosition();
      await caughtUp(sidecar);
      const cp = (await sidecar.pipeline.store.getCheckpoint())!.position;
      expect(sidecar.pipeline.source.comparePositions(cp, afterOrders)).to.be.at.least(0);
      if (kind === 'postgres') {
        const slot = (sidecar.pipeline.config.source as { slot: string }).slot;
        // The server releases WAL up to the acknowledged checkpoint.
        await waitFor(async () => {
          const r = await target.db.query('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = ?', [slot]);
          return sidecar.pipeline.source.comparePositions(String(r[0]!.l), afterOrders) >= 0;
        }, { timeoutMs: 30_000, message: 'the slot did not advance over unrelated changes' });
      }
      // Nothing changes now: the checkpoint still follows the end of the log.
      await caughtUp(sidecar);
      expect(bulkCalls(emu)).to.equal(calls);
    });

    it('a read older than the log is retried, never pushed: the visibility race forced', async () => {
      const tables = readerTables(sidecar.pipeline.config);
      await sidecar.stop();
      const victim = seeded.ids[700]!;
      // A reader that answers from a snapshot taken before the change, for its first reads of the victim.
      const stale = await target.openSnapshotReader(tables);
      let staleAnswers = 0;
      const wrap = (real: LegacyReader): LegacyReader => ({
        readUsers: async (keys) => {
          if (keys.includes(String(victim)) && staleAnswers < 3) {
            staleAnswers++;
            return stale.readUsers(keys);
          }
          return real.readUsers(keys);
        },
        pageKeys: (a, l) => real.pageKeys(a, l),
        estimateUserCount: () => real.estimateUserCount(),
        close: () => real.close(),
      });
      sidecar = await startInProcessSidecar(config.path, { wrapReader: wrap });
      await sidecar.streaming();
      await target.db.updateUser(victim, { email: 'after.the.snapshot@example.org' });
      await waitFor(() => staleAnswers >= 3, { timeoutMs: 30_000, message: 'the stale reader was not used' });
      await waitForConvergence(target.db, emu);
      expect(emu.getUser(`legacy-${victim}`)?.email).to.equal('after.the.snapshot@example.org');
      expect(await sidecar.metrics.value(sidecar.metrics.staleReads)).to.be.at.least(1);
      await stale.close();
    });
  });
}
