import { expect } from 'chai';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { createPostgresDatabase, uniqueName, type PostgresTestDatabase } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { runCli } from '../cli/cli-run.js';
import { CLIENT_ID, CLIENT_SECRET, closePlatformRun, loginOk, totpOk, writePlatformConfig, type PlatformConfig } from './platform-fixture.js';
import { DJANGO_DDL } from './platform-schemas.js';

const DDL = DJANGO_DDL;

/**
 * Django's PBKDF2PasswordHasher: "pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>"
 * (django/contrib/auth/hashers.py). Checked against Django's own test vector below.
 */
function djangoHash(password: string, salt: string, iterations = 10_000): string {
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}
// django/tests/auth_tests/test_hashers.py (Django 1.4..1.6), test_pbkdf2: make_password('lètmein', 'seasalt', 'pbkdf2_sha256').
const DJANGO_VECTOR = 'pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=';

/** set_unusable_password(): "!" + get_random_string(40). */
function unusable(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return '!' + Array.from(randomBytes(40), (b) => chars[b % chars.length]).join('');
}

describe('a Django site on PostgreSQL: auth_user + django-otp, unusable passwords, removed devices (#20)', function () {
  this.timeout(240_000);
  let db: PostgresTestDatabase;
  let sql: pg.Client;
  let emu: RunningEmulator;
  let config: PlatformConfig;
  let sidecar: SidecarProcess;
  const secrets = new Map<number, string>();
  const sub = (id: number): string => `django-${id}`;

  async function addUser(username: string, password: string, email: string): Promise<number> {
    const r = await sql.query<{ id: number }>(
      `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
       VALUES ($1, false, $2, $3, '', $4, false, true, now()) RETURNING id`, [password, username, username.toUpperCase(), email]);
    return r.rows[0]!.id;
  }

  async function addDevice(userId: number, confirmed: boolean): Promise<void> {
    const key = randomBytes(20); // django_otp.util.random_hex(20)
    await sql.query(
      `INSERT INTO otp_totp_totpdevice (name, confirmed, key, step, t0, digits, tolerance, drift, last_t, user_id, throttling_failure_count)
       VALUES ('default', $1, $2, 30, 0, 6, 1, 0, -1, $3, 0)`, [confirmed, key.toString('hex'), userId]);
    secrets.set(userId, base32Encode(key));
  }

  function streaming(p: SidecarProcess): Promise<unknown> {
    return p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 120_000);
  }

  before(async () => {
    db = await createPostgresDatabase('django');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    for (const s of DDL) await sql.query(s);
    const publication = uniqueName('pub');
    await sql.query(`CREATE PUBLICATION ${publication} FOR TABLE auth_user, otp_totp_totpdevice`);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    config = await writePlatformConfig({
      kind: 'postgres', url: db.url, publication, emulatorUrl: emu.url,
      body: {
        users: { table: 'public.auth_user', key: 'id', fields: { email: 'email', username: 'username', given_name: 'first_name', family_name: 'last_name' }, ignoreColumns: ['last_login'] },
        password: { hash: 'password' },
        mfa: { table: 'public.otp_totp_totpdevice', userKey: 'user_id', secret: 'key', encoding: 'hex', enabled: 'confirmed' },
        sub: { prefix: 'django-' },
      },
    });
  });

  after(() => closePlatformRun({ emu, sql, db, config }));

  it('syncs, revokes unusable passwords and clears removed devices across a kill -9, and verifies equal', async () => {
    expect(djangoHash('lètmein', 'seasalt')).to.equal(DJANGO_VECTOR);
    const alice = await addUser('alice', DJANGO_VECTOR, 'alice@example.com');
    const bob = await addUser('bob', djangoHash('bob-pw', 'salt2'), 'bob@example.com');
    const carol = await addUser('carol', djangoHash('carol-pw', 'salt3'), 'carol@example.com');
    const dave = await addUser('dave', unusable(), 'dave@example.com'); // social login only: never usable
    const erin = await addUser('erin', djangoHash('erin-pw', 'salt5'), 'erin@example.com');
    const frank = await addUser('frank', djangoHash('frank-pw', 'salt6'), ''); // Django allows no email
    const grace = await addUser('grace', djangoHash('grace-pw', 'salt7'), 'grace@example.com');
    await addDevice(alice, true);
    await addDevice(carol, true);
    await addDevice(frank, false); // never confirmed: not enrolled
    await addDevice(grace, true);
    const all = [alice, bob, carol, dave, erin, frank, grace];

    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    const summary = await sidecar.waitForLine((l) => l.message.startsWith('backfill done:'));
    expect(summary.message).to.equal('backfill done: 7 users, 0 dead letters');
    await waitFor(() => all.every((id) => emu.getUser(sub(id)) !== undefined), { timeoutMs: 60_000, message: 'not every Django user reached cidaas' });
    expect(await loginOk(emu, sub(alice), 'lètmein')).to.equal(true);
    expect(await totpOk(emu, sub(alice), secrets.get(alice)!)).to.equal(true);
    expect(emu.getUser(sub(dave))!.password_hash_info, 'a social-login user is created without a password').to.equal(undefined);
    expect(emu.getUser(sub(frank))!.mfa?.totp).to.equal(undefined);

    // An admin blocks bob's password, carol deletes her device; the sidecar dies before or while it pushes.
    await sql.query('UPDATE auth_user SET password = $1 WHERE id = $2', [unusable(), bob]);
    await sql.query('DELETE FROM otp_totp_totpdevice WHERE user_id = $1', [carol]);
    await sidecar.kill9();
    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    // After the restart: erin's password is made unusable, grace removes her device.
    await sql.query('UPDATE auth_user SET password = $1 WHERE id = $2', [unusable(), erin]);
    await sql.query('DELETE FROM otp_totp_totpdevice WHERE user_id = $1', [grace]);

    await waitFor(async () => !(await loginOk(emu, sub(bob), 'bob-pw')) && !(await loginOk(emu, sub(erin), 'erin-pw'))
      && emu.getUser(sub(carol))?.mfa?.totp === undefined && emu.getUser(sub(grace))?.mfa?.totp === undefined,
    { timeoutMs: 60_000, message: 'the revocations and removed devices did not reach cidaas' });
    const exit = await sidecar.terminate();
    expect(exit.code).to.equal(0);

    // The old passwords fail; the others still work; the revoked users keep their accounts.
    expect(await loginOk(emu, sub(bob), 'bob-pw')).to.equal(false);
    expect(await loginOk(emu, sub(erin), 'erin-pw')).to.equal(false);
    expect(await loginOk(emu, sub(carol), 'carol-pw')).to.equal(true);
    expect(emu.getUser(sub(bob))!.userStatus ?? 'VERIFIED').to.equal('VERIFIED');
    expect(await totpOk(emu, sub(carol), secrets.get(carol)!)).to.equal(false);
    expect(emu.getUser(sub(carol))!.mfa_enabled).to.equal(false);

    const report = join(config.dir, 'verify.json');
    const v = await runCli(['verify', '--config', config.path, '--no-progress', '--report', report], { timeoutMs: 60_000 });
    expect(v.code, `verify: ${v.stdout}\n${v.stderr}`).to.equal(0);
    const dlq = await runCli(['dlq', 'list', '--config', config.path]);
    expect(dlq.code).to.equal(0);
    expect(dlq.stdout).to.not.match(/django|alice|dave/);
  });
});
