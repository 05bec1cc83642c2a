import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { loadConfig } from '../../config/load-config.js';
import { startEmulator } from '../../tools/emulator/cidaas-emulator.js';
import type { RunningEmulator } from '../../tools/emulator/cidaas-emulator.js';
import { base32Encode } from '../../src/mfa/base32.js';
import { checkConvergence, describeConvergence, isConverged } from '../support/convergence.js';
import { createMariaDbDatabase, createPostgresDatabase, uniqueName } from '../support/servers.js';
import { createShopSchema, openShopDb } from '../support/shop-schema.js';
import type { ShopDb, ShopDbKind, ShopRow } from '../support/shop-schema.js';
import { killAllSidecars, parseSidecarLine, startSidecar } from '../support/sidecar-process.js';
import { writeShopConfig } from '../support/test-config.js';
import { newPassword, seededRandom, seedUsers } from '../support/user-generator.js';

const CLIENT_ID = 'harness-client';
const CLIENT_SECRET = 'harness-client-secret-value';

interface Target {
  readonly url: string;
  readonly kind: ShopDbKind;
  drop(): Promise<void>;
}

const TARGETS: { label: string; create: () => Promise<Target> }[] = [
  { label: 'PostgreSQL', create: async () => ({ ...(await createPostgresDatabase('harness')), kind: 'postgres' }) },
  { label: 'MariaDB', create: async () => ({ ...(await createMariaDbDatabase('harness')), kind: 'mysql' }) },
];

const trimmed = (v: unknown): string | undefined => (v === null || v === undefined || String(v).trim() === '' ? undefined : String(v).trim());

/** What a correct sidecar would have pushed for each live shop user, built straight from the rows. */
async function entitiesFromLegacy(db: ShopDb): Promise<Record<string, unknown>[]> {
  const hashes = new Map((await db.query('SELECT user_id, password_hash FROM credentials')).map((r) => [Number(r['user_id']), String(r['password_hash'])]));
  const secrets = new Map(
    (await db.query('SELECT user_id, secret_base32 FROM totp_devices WHERE confirmed = ?', [true])).map((r) => [Number(r['user_id']), String(r['secret_base32'])]),
  );
  const users = await db.query('SELECT * FROM users WHERE deleted_at IS NULL');
  return users.map((u: ShopRow) => {
    const id = Number(u['id']);
    const hash = hashes.get(id);
    const secret = secrets.get(id);
    const entity: Record<string, unknown> = {
      sub: `legacy-${id}`,
      email: trimmed(u['email']),
      email_verified: Boolean(Number(u['email_confirmed'])),
      given_name: trimmed(u['first_name']),
      family_name: trimmed(u['last_name']),
      mobile_number: trimmed(u['phone']),
      username: trimmed(u['login']),
      customFields: u['customer_number'] === null ? undefined : { customer_no: u['customer_number'] },
      password_hash_info: hash === undefined ? undefined : { algorithmTypeId: `BCRYPT_${Number(hash.slice(4, 6))}`, passwordHash: hash },
      mfa_enabled: secret !== undefined,
      mfa: secret === undefined ? undefined : { totp: { secret, algorithm: 'SHA1', digits: 6, period: 30 } },
    };
    return Object.fromEntries(Object.entries(entity).filter(([, v]) => v !== undefined));
  });
}

/** The error a promise rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function purge(emulator: RunningEmulator, sub: string): Promise<void> {
  const res = await fetch(`${emulator.url}/users-srv/user/purge/${encodeURIComponent(sub)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${emulator.issueToken()}` },
  });
  await res.arrayBuffer();
  expect(res.status).to.equal(202);
}

/** Replaces a stored user by a copy with `changes` applied. */
function alter(emulator: RunningEmulator, sub: string, changes: Record<string, unknown>): void {
  const user = emulator.getUser(sub);
  if (!user) throw new Error(`${sub} is not in the emulator`);
  emulator.seed([{ ...user, ...changes }]);
}

for (const { label, create } of TARGETS) {
  describe(`test harness on ${label}`, function () {
    this.timeout(120_000);
    let target: Target;
    let db: ShopDb;
    let emulator: RunningEmulator;
    const publication = uniqueName('pub');

    before(async () => {
      target = await create();
      await createShopSchema(target, { publication });
      db = await openShopDb(target);
      emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    });

    after(async () => {
      await db?.close();
      await emulator?.close();
      await target?.drop();
    });

    it('creates users, credentials, totp_devices and orders (with full replica identity and a publication on PostgreSQL)', async () => {
      for (const table of ['users', 'credentials', 'totp_devices', 'orders']) {
        const [row] = await db.query(`SELECT COUNT(*) AS n FROM ${table}`);
        expect(Number(row?.['n']), table).to.equal(0);
      }
      if (target.kind === 'postgres') {
        const identity = await db.query("SELECT relname, relreplident FROM pg_class WHERE relname IN ('credentials', 'totp_devices') ORDER BY relname");
        expect(identity.map((r) => r['relreplident'])).to.deep.equal(['f', 'f']);
        const published = await db.query('SELECT tablename FROM pg_publication_tables WHERE pubname = ? ORDER BY tablename', [publication]);
        expect(published.map((r) => r['tablename'])).to.deep.equal(['credentials', 'totp_devices', 'users']);
      }
    });

    it('seeds 2,000 users with verifiable bcrypt passwords and about 30% confirmed TOTP devices', async () => {
      const seeded = await seedUsers(db, 2000, 1);
      expect(seeded.ids).to.have.length(2000);
      expect(new Set(seeded.ids).size).to.equal(2000);
      const [users] = await db.query('SELECT COUNT(*) AS n FROM users');
      const [credentials] = await db.query('SELECT COUNT(*) AS n FROM credentials');
      expect(Number(users?.['n'])).to.equal(2000);
      expect(Number(credentials?.['n'])).to.equal(2000);
      const withTotp = seeded.ids.filter((id) => seeded.totpOf(id) !== null);
      expect(withTotp.length).to.be.within(500, 700);
      const [confirmed] = await db.query('SELECT COUNT(*) AS n FROM totp_devices WHERE confirmed = ?', [true]);
      expect(Number(confirmed?.['n'])).to.equal(withTotp.length);
      const [unconfirmed] = await db.query('SELECT COUNT(*) AS n FROM totp_devices WHERE confirmed = ?', [false]);
      expect(Number(unconfirmed?.['n'])).to.be.greaterThan(0);
      for (const id of seeded.ids.slice(0, 5)) {
        const [row] = await db.query('SELECT password_hash FROM credentials WHERE user_id = ?', [id]);
        const hash = String(row?.['password_hash']);
        expect(hash).to.match(/^\$2b\$04\$/);
        expect(await bcrypt.compare(seeded.passwordOf(id), hash)).to.equal(true);
        expect(await bcrypt.compare(`${seeded.passwordOf(id)}x`, hash)).to.equal(false);
      }
      const id = withTotp[0]!;
      const [device] = await db.query('SELECT secret_base32 FROM totp_devices WHERE user_id = ? AND confirmed = ?', [id, true]);
      expect(device?.['secret_base32']).to.equal(seeded.totpOf(id)).and.match(/^[A-Z2-7]{32}$/);
    });

    it('generates the same users for the same seed', async () => {
      const snapshot = async (ids: number[]): Promise<unknown[]> => {
        const rows = await db.query(
          `SELECT u.email, u.first_name, u.phone, u.login, u.customer_number, t.secret_base32 FROM users u LEFT JOIN totp_devices t ON t.user_id = u.id WHERE u.id IN (${ids.map(() => '?').join(', ')}) ORDER BY u.email`,
          ids,
        );
        return rows.map((r) => ({ ...r }));
      };
      const first = await seedUsers(db, 50, 99);
      const before = await snapshot(first.ids);
      for (const id of first.ids) await db.hardDelete(id);
      const second = await seedUsers(db, 50, 99);
      expect(await snapshot(second.ids)).to.deep.equal(before);
      expect(second.ids.map((id) => second.passwordOf(id))).to.deep.equal(first.ids.map((id) => first.passwordOf(id)));
      for (const id of second.ids) await db.hardDelete(id);
      const a = seededRandom(5);
      const b = seededRandom(5);
      expect([a(), a(), a()]).to.deep.equal([b(), b(), b()]);
    });

    it('changes rows through the ShopDb helpers, each as one statement or transaction', async () => {
      const id = await db.insertUser({ email: 'helper@example.com', email_confirmed: true, first_name: 'Hanna', last_name: 'Helper', phone: '+4915100000001', login: 'hanna', customer_number: 'C-1' });
      let user = await db.getUser(id);
      expect(user).to.include({ id, email: 'helper@example.com', email_confirmed: true, first_name: 'Hanna', login: 'hanna', deleted_at: null, last_login_at: null });
      await db.updateUser(id, { first_name: 'Johanna', phone: null, email_confirmed: false });
      user = await db.getUser(id);
      expect(user).to.include({ first_name: 'Johanna', phone: null, email_confirmed: false });
      expect(String(await rejection(db.updateUser(id, { password_hash: 'x' } as never)))).to.include('no column password_hash');

      const one = await newPassword();
      const two = await newPassword();
      expect(one.plain).to.not.equal(two.plain);
      await db.setPassword(id, one.hash);
      await db.setPassword(id, two.hash);
      const creds = await db.query('SELECT password_hash FROM credentials WHERE user_id = ?', [id]);
      expect(creds.map((r) => r['password_hash'])).to.deep.equal([two.hash]);
      expect(await bcrypt.compare(two.plain, two.hash)).to.equal(true);

      const secret = base32Encode(Buffer.alloc(20, 7));
      await db.setTotp(id, secret, true);
      await db.setTotp(id, secret, true);
      const devices = await db.query('SELECT secret_base32, confirmed FROM totp_devices WHERE user_id = ?', [id]);
      expect(devices.map((r) => [r['secret_base32'], Boolean(Number(r['confirmed']))])).to.deep.equal([[secret, true]]);
      await db.setTotp(id, null, false);
      expect(await db.query('SELECT id FROM totp_devices WHERE user_id = ?', [id])).to.have.length(0);

      await db.touchLastLogin(id);
      expect((await db.getUser(id))?.last_login_at).to.be.instanceOf(Date);
      const order = await db.insertOrder(id, 19.99);
      expect(await db.query('SELECT user_id FROM orders WHERE id = ?', [order])).to.have.length(1);
      expect(await db.query("SELECT id FROM users WHERE email = ? AND '?' = '?'", ['helper@example.com'])).to.have.length(1);

      await db.softDelete(id);
      expect((await db.getUser(id))?.deleted_at).to.be.instanceOf(Date);

      const failure = await rejection(
        db.transaction(async (tx) => {
          await tx.insertUser({ email: 'rollback@example.com' });
          throw new Error('abort');
        }),
      );
      expect(String(failure)).to.include('abort');
      expect(await db.query('SELECT id FROM users WHERE email = ?', ['rollback@example.com'])).to.have.length(0);

      const gone = await db.insertUser({ email: 'gone@example.com' });
      await db.setPassword(gone, one.hash);
      await db.setTotp(gone, secret, false);
      await db.hardDelete(gone);
      expect(await db.getUser(gone)).to.equal(undefined);
      expect(await db.query('SELECT id FROM credentials WHERE user_id = ?', [gone])).to.have.length(0);
      expect(await db.query('SELECT id FROM totp_devices WHERE user_id = ?', [gone])).to.have.length(0);
    });

    it('writes a shop config that loadConfig accepts, with the secret only in a file', async () => {
      const file = await writeShopConfig({
        kind: target.kind,
        sourceUrl: target.url,
        publication,
        emulatorUrl: emulator.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        batchSize: 25,
        extra: { cidaas: { requestTimeoutMs: 5000 }, users: { ignoreColumns: ['last_login_at', 'created_at'] } },
      });
      try {
        const config = await loadConfig(file.path, {});
        expect(config.source.kind).to.equal(target.kind);
        expect(config.source.url.reveal()).to.equal(target.url);
        if (config.source.kind === 'postgres') expect(config.source.publication).to.equal(publication);
        expect(config.users.table.name).to.equal('users');
        expect(config.users.fields).to.deep.equal({ email: 'email', email_verified: 'email_confirmed', given_name: 'first_name', family_name: 'last_name', mobile_number: 'phone', username: 'login' });
        expect(config.users.customFields).to.deep.equal({ customer_no: 'customer_number' });
        expect(config.users.softDelete).to.deep.equal({ column: 'deleted_at' });
        expect(config.users.ignoreColumns).to.deep.equal(['last_login_at', 'created_at']);
        expect(config.password).to.include({ userKey: 'user_id', hash: 'password_hash', algorithm: 'auto' });
        expect(config.mfa).to.include({ userKey: 'user_id', secret: 'secret_base32', encoding: 'base32', enabled: 'confirmed' });
        expect(config.sub.prefix).to.equal('legacy-');
        expect(config.cidaas).to.include({ baseUrl: emulator.url, clientId: CLIENT_ID, batchSize: 25, concurrency: 4, onDelete: 'purge', requestTimeoutMs: 5000 });
        expect(config.cidaas.clientSecret.reveal()).to.equal(CLIENT_SECRET);
        expect(config.state.url.reveal()).to.equal(`sqlite:${file.statePath}`);
        expect(await readFile(file.path, 'utf8')).to.not.include(CLIENT_SECRET);
      } finally {
        await file.remove();
      }
    });

    it('finds nothing lost, stale or extra when the emulator holds every live user as mapped', async () => {
      emulator.reset();
      const entities = await entitiesFromLegacy(db);
      emulator.seed(entities);
      const result = await checkConvergence(db, emulator);
      expect(result.live).to.equal(entities.length).and.equal(2000);
      expect(isConverged(result), describeConvergence(result)).to.equal(true);
      expect(describeConvergence(result)).to.match(/^converged/);
    });

    it('reports a purged user as lost, changed email and password as stale, and unknown or deleted users as extra', async () => {
      const subs = emulator.users().map((u) => u.sub).filter((s) => s.startsWith('legacy-'));
      const [lostSub, emailSub, passwordSub, mfaSub, deletedSub] = subs as [string, string, string, string, string];

      await purge(emulator, lostSub);
      let result = await checkConvergence(db, emulator);
      expect(result.lost).to.deep.equal([lostSub]);
      expect(result.stale).to.deep.equal([]);

      alter(emulator, emailSub, { email: 'someone-else@example.com' });
      result = await checkConvergence(db, emulator);
      expect(result.stale).to.deep.equal([{ key: emailSub, fields: ['email'] }]);

      const replacement = await newPassword();
      alter(emulator, passwordSub, { password_hash_info: { algorithmTypeId: 'BCRYPT_4', passwordHash: replacement.hash } });
      await db.setTotp(Number(mfaSub.slice('legacy-'.length)), base32Encode(Buffer.alloc(20, 9)), true);
      emulator.seed([{ sub: 'legacy-99999999', email: 'stranger@example.com' }]);
      await db.softDelete(Number(deletedSub.slice('legacy-'.length)));

      result = await checkConvergence(db, emulator);
      expect(result.lost).to.deep.equal([lostSub]);
      expect(result.stale).to.deep.equal(
        [
          { key: emailSub, fields: ['email'] },
          { key: passwordSub, fields: ['password'] },
          { key: mfaSub, fields: ['mfa'] },
        ].sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
      expect(result.extra).to.deep.equal([deletedSub, 'legacy-99999999'].sort());
      const message = describeConvergence(result);
      expect(message).to.include('1 lost').and.include('3 stale').and.include('2 extra').and.include(`${emailSub}: email`);
      expect(message).to.not.include('someone-else@example.com').and.not.include(replacement.hash);

      expect((await checkConvergence(db, emulator, { expectDeadLetters: [lostSub, emailSub] })).lost).to.deep.equal([]);
    });

    it('compares normalised values, and accepts values cidaas keeps after a legacy clear only when asked', async () => {
      emulator.reset();
      const id = await db.insertUser({ email: ' norma@example.com ', email_confirmed: true, first_name: ' Norma ', last_name: '', login: 'norma', customer_number: 'N-1' });
      const secret = base32Encode(Buffer.alloc(20, 3));
      await db.setTotp(id, `${secret.toLowerCase().slice(0, 16)} ${secret.toLowerCase().slice(16)}`, true);
      const sub = `legacy-${id}`;
      emulator.seed([{ sub, email: 'norma@example.com', email_verified: true, given_name: 'Norma', family_name: '', username: 'norma', customFields: { customer_no: 'N-1' }, mfa_enabled: true, mfa: { totp: { secret, algorithm: 'SHA1', digits: 6, period: 30 } } }]);
      const staleOf = async (clearedMayLinger: boolean): Promise<string[] | undefined> =>
        (await checkConvergence(db, emulator, { clearedMayLinger })).stale.find((s) => s.key === sub)?.fields;
      expect(await staleOf(false)).to.equal(undefined);

      await db.updateUser(id, { login: null, customer_number: null });
      await db.setTotp(id, null, false);
      expect(await staleOf(false)).to.deep.equal(['username', 'customFields.customer_no', 'mfa']);
      alter(emulator, sub, { mfa_enabled: false });
      expect(await staleOf(true)).to.equal(undefined);
      await db.updateUser(id, { login: 'norma2' });
      expect(await staleOf(true)).to.deep.equal(['username']);
    });

    it('seeds 20,000 users within 20 s', async () => {
      const started = Date.now();
      const seeded = await seedUsers(db, 20_000, 3);
      const elapsed = Date.now() - started;
      expect(seeded.ids).to.have.length(20_000);
      expect(elapsed).to.be.below(20_000);
    });
  });
}

describe('test harness: sidecar processes', function () {
  this.timeout(60_000);
  after(killAllSidecars);

  it('captures stdout lines, waits for one, and sees a kill -9 as SIGKILL', async () => {
    const sidecar = startSidecar({ args: ['emulator', '--port', '0'], env: { CIDAAS_EMULATOR_CLIENT_SECRET: 'from-env' } });
    expect(sidecar.pid).to.be.greaterThan(0);
    const line = await sidecar.waitForLine((l) => l.message.startsWith('http://'));
    expect(line).to.deep.equal({ message: line.message });
    const stats = await fetch(`${line.message}/_emulator/stats`);
    expect(stats.status).to.equal(200);
    await stats.arrayBuffer();
    expect(sidecar.lines[0]).to.equal(line);
    const exit = await sidecar.kill9();
    expect(exit).to.deep.equal({ code: null, signal: 'SIGKILL' });
    expect(sidecar.stderr).to.include('client id').and.not.include('from-env');
  });

  it('stops with SIGTERM and exit code 0', async () => {
    const sidecar = startSidecar({ args: ['emulator', '--port', '0'] });
    await sidecar.waitForLine((l) => l.message.startsWith('http://'));
    expect(await sidecar.terminate()).to.deep.equal({ code: 0, signal: null });
  });

  it('rejects waitForLine when the process exits first, and reports the exit code', async () => {
    const sidecar = startSidecar({ args: ['emulator', '--port', 'eighty'] });
    const failure = await rejection(sidecar.waitForLine(() => false));
    expect(String(failure)).to.match(/exited \(2\) before the awaited line/);
    expect(await sidecar.waitForExit()).to.deep.equal({ code: 2, signal: null });
  });

  it('rejects waitForLine after its timeout, and killAllSidecars ends what is left', async () => {
    const sidecar = startSidecar({ args: ['emulator', '--port', '0'] });
    await sidecar.waitForLine((l) => l.message.startsWith('http://'));
    const failure = await rejection(sidecar.waitForLine((l) => l.message === 'never printed', 200));
    expect(String(failure)).to.match(/timed out after 200 ms/);
    expect(sidecar.exit).to.equal(undefined);
    await killAllSidecars();
    expect(sidecar.exit).to.deep.equal({ code: null, signal: 'SIGKILL' });
  });

  it('parses JSON log lines and keeps other lines raw', () => {
    expect(parseSidecarLine('{"level":"info","message":"batch pushed","users":50}')).to.deep.equal({ level: 'info', message: 'batch pushed', users: 50 });
    expect(parseSidecarLine('http://127.0.0.1:1234')).to.deep.equal({ message: 'http://127.0.0.1:1234' });
    expect(parseSidecarLine('{not json')).to.deep.equal({ message: '{not json' });
  });
});
