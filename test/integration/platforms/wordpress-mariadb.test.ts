import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { createMariaDbDatabase, type MariaDbTestDatabase } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { runCli } from '../cli/cli-run.js';
import { CLIENT_ID, CLIENT_SECRET, closePlatformRun, loginOk, totpOk, writePlatformConfig, type PlatformConfig } from './platform-fixture.js';
import { wordpressDdl } from './platform-schemas.js';

const DDL = wordpressDdl();

/**
 * The mapping module a WordPress integrator writes: phpass ($P$, which cidaas cannot check) goes as
 * CUSTOM_PHPASS for the verification service; the Two-Factor plugin's TOTP key (base32, in
 * `_two_factor_totp_key`) is migrated while `Two_Factor_Totp` is among `_two_factor_enabled_providers`
 * (a PHP-serialised array). A user who disables two-factor simply gets no `mfa` from it.
 */
const MAPPING = `export default function map(entity, legacy) {
  const out = { ...entity };
  if (legacy.passwordRecognition?.status === 'unrecognized') {
    const hash = String(legacy.user.user_pass ?? '');
    out.password_hash_info = hash.startsWith('$P$') ? { algorithmTypeId: 'CUSTOM_PHPASS', passwordHash: hash } : null;
  }
  const providers = legacy.attributes._two_factor_enabled_providers ?? '';
  const key = legacy.attributes._two_factor_totp_key;
  if (key && providers.includes('"Two_Factor_Totp"')) out.mfa = { totp: { secret: key } };
  return out;
}
`;

const ENABLED_TOTP = 'a:1:{i:0;s:15:"Two_Factor_Totp";}';

/** PHP password_hash(PASSWORD_BCRYPT) writes $2y$, the same algorithm as $2b$. */
function phpBcrypt(password: string): string {
  return bcrypt.hashSync(password, 8).replace(/^\$2[ab]\$/, '$2y$');
}

/** A wp_hash_password() phpass portable hash: "$P$" + cost character + 8 salt + 22 hash characters (34 in all). */
function phpassShape(): string {
  const itoa64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return '$P$B' + Array.from(randomBytes(30), (b) => itoa64[b % 64]).join('');
}

describe('a WordPress site on MariaDB: wp_users + wp_usermeta, Two-Factor TOTP, users who disable it (#20)', function () {
  this.timeout(240_000);
  let db: MariaDbTestDatabase;
  let sql: mysql.Connection;
  let emu: RunningEmulator;
  let config: PlatformConfig;
  let sidecar: SidecarProcess;
  const secrets = new Map<number, string>();
  const sub = (id: number): string => `wp-${id}`;

  async function addUser(login: string, pass: string, twoFactor: boolean): Promise<number> {
    const [r] = await sql.query<mysql.ResultSetHeader>(
      `INSERT INTO wp_users (user_login, user_pass, user_nicename, user_email, user_url, user_registered, display_name)
       VALUES (?, ?, ?, ?, '', NOW(), ?)`, [login, pass, login, `${login}@example.com`, login.toUpperCase()]);
    const id = r.insertId;
    await sql.query("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (?, 'first_name', ?), (?, 'last_name', ''), (?, 'session_tokens', 'a:0:{}')", [id, login, id, id]);
    if (twoFactor) {
      const secret = base32Encode(randomBytes(20));
      secrets.set(id, secret);
      await sql.query("INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES (?, '_two_factor_totp_key', ?), (?, '_two_factor_enabled_providers', ?)", [id, secret, id, ENABLED_TOTP]);
    }
    return id;
  }

  function streaming(p: SidecarProcess): Promise<unknown> {
    return p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 120_000);
  }

  before(async () => {
    db = await createMariaDbDatabase('wp');
    sql = await mysql.createConnection({ uri: db.url });
    for (const s of DDL) await sql.query(s);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    config = await writePlatformConfig({
      kind: 'mysql', url: db.url, emulatorUrl: emu.url, files: { 'wp-mapping.mjs': MAPPING },
      body: {
        users: { table: 'wp_users', key: 'ID', fields: { email: 'user_email', username: 'user_login', nickname: 'display_name' } },
        password: { hash: 'user_pass' },
        attributes: {
          table: 'wp_usermeta', userKey: 'user_id', name: 'meta_key', value: 'meta_value',
          fields: { given_name: 'first_name', family_name: 'last_name' }, ignoreNames: ['session_tokens'],
        },
        sub: { prefix: 'wp-' },
        mapping: './wp-mapping.mjs',
      },
    });
  });

  after(() => closePlatformRun({ emu, sql, db, config }));

  it('syncs, pushes phpass as CUSTOM_PHPASS, clears the TOTP of users who disable two-factor across a kill -9, and verifies equal', async () => {
    const ann = await addUser('ann', phpBcrypt('ann-pw'), true);
    const ben = await addUser('ben', phpassShape(), true);
    const cat = await addUser('cat', phpBcrypt('cat-pw'), true);
    const dan = await addUser('dan', phpBcrypt('dan-pw'), false);
    const eve = await addUser('eve', phpassShape(), false);
    const all = [ann, ben, cat, dan, eve];

    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    expect((await sidecar.waitForLine((l) => l.message.startsWith('backfill done:'))).message).to.equal('backfill done: 5 users, 0 dead letters');
    await waitFor(() => all.every((id) => emu.getUser(sub(id)) !== undefined), { timeoutMs: 60_000, message: 'not every WordPress user reached cidaas' });
    expect(await loginOk(emu, sub(ann), 'ann-pw')).to.equal(true);
    expect(await totpOk(emu, sub(ann), secrets.get(ann)!)).to.equal(true);
    expect(emu.getUser(sub(ben))!.password_hash_info!.algorithmTypeId).to.equal('CUSTOM_PHPASS');
    expect(emu.getUser(sub(eve))!.password_hash_info!.algorithmTypeId).to.equal('CUSTOM_PHPASS');

    // cat disables two-factor (the plugin deletes both metas); ann turns TOTP off but the key stays.
    await sql.query("DELETE FROM wp_usermeta WHERE user_id = ? AND meta_key IN ('_two_factor_totp_key', '_two_factor_enabled_providers')", [cat]);
    await sql.query("UPDATE wp_usermeta SET meta_value = 'a:0:{}' WHERE user_id = ? AND meta_key = '_two_factor_enabled_providers'", [ann]);
    await sidecar.kill9();
    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    // An SSO plugin blanks dan's password after the restart.
    await sql.query("UPDATE wp_users SET user_pass = '' WHERE ID = ?", [dan]);

    await waitFor(async () => emu.getUser(sub(cat))?.mfa?.totp === undefined && emu.getUser(sub(ann))?.mfa?.totp === undefined
      && !(await loginOk(emu, sub(dan), 'dan-pw')), { timeoutMs: 60_000, message: 'the disabled two-factor and the blanked password did not reach cidaas' });
    expect((await sidecar.terminate()).code).to.equal(0);

    expect(await totpOk(emu, sub(cat), secrets.get(cat)!)).to.equal(false);
    expect(await totpOk(emu, sub(ben), secrets.get(ben)!)).to.equal(true);
    expect(await loginOk(emu, sub(cat), 'cat-pw')).to.equal(true);
    expect(await loginOk(emu, sub(dan), 'dan-pw')).to.equal(false);

    const v = await runCli(['verify', '--config', config.path, '--no-progress', '--report', join(config.dir, 'verify.json')], { timeoutMs: 60_000 });
    expect(v.code, `verify: ${v.stdout}\n${v.stderr}`).to.equal(0);
  });
});
