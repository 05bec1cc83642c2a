import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { request } from 'undici';
import { stringify } from 'yaml';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { totpCode } from '../../../tools/totp.js';
import { uniqueName } from '../../support/servers.js';
import { killAllSidecars, startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { waitFor } from '../../support/wait-for.js';
import { described, runCli } from '../cli/cli-run.js';
import { createScratchDb, type ScratchDb } from './key-type-db.js';

/*
 * Keycloak's own tables (keycloak/keycloak, model/jpa liquibase changelogs: user_entity and
 * credential as Keycloak 12+ has them), one database with two realms of which one migrates,
 * passwords and OTP devices in one credential table told apart by `type`, hashed as
 * Pbkdf2PasswordHashProvider does (pbkdf2-sha256, 27,500 iterations, 64-byte key, a password
 * under 14 characters padded with NUL) and OTP secrets kept as Keycloak keeps them (the raw text
 * whose UTF-8 bytes are the key).
 */
const SCHEMA = [
  `CREATE TABLE realm (id varchar(36) PRIMARY KEY, name varchar(255) UNIQUE)`,
  `CREATE TABLE user_entity (
    id varchar(36) PRIMARY KEY, email varchar(255), email_constraint varchar(255), email_verified boolean NOT NULL DEFAULT false,
    enabled boolean NOT NULL DEFAULT false, federation_link varchar(255), first_name varchar(255), last_name varchar(255),
    realm_id varchar(255), username varchar(255), created_timestamp bigint, service_account_client_link varchar(255),
    not_before integer NOT NULL DEFAULT 0, CONSTRAINT uk_dykn684sl8up1crfei6eckhd7 UNIQUE (realm_id, email_constraint),
    CONSTRAINT uk_ru8tt6t700s9v50bu18ws5ha6 UNIQUE (realm_id, username))`,
  `CREATE TABLE credential (
    id varchar(36) PRIMARY KEY, salt bytea, type varchar(255), user_id varchar(36) REFERENCES user_entity (id),
    created_date bigint, user_label varchar(255), secret_data text, credential_data text, priority integer)`,
  `CREATE INDEX idx_user_credential ON credential (user_id)`,
  // A delete of a credential row must carry user_id: the DBA's one change for cidaas-sync.
  `ALTER TABLE credential REPLICA IDENTITY FULL`,
];

const CLIENT_ID = 'keycloak-platform';
const CLIENT_SECRET = 'keycloak-platform-secret';
const SHOP = randomUUID();
const MASTER = randomUUID();

/** A password credential row's JSON, as Keycloak 12..23 writes it for pbkdf2-sha256. */
function passwordCredential(password: string): { secret: string; credential: string } {
  const salt = randomBytes(16);
  const padded = password.length < 14 ? password + '\0'.repeat(14 - password.length) : password;
  const value = pbkdf2Sync(padded, salt, 27_500, 64, 'sha256').toString('base64');
  return {
    secret: JSON.stringify({ value, salt: salt.toString('base64'), additionalParameters: {} }),
    credential: JSON.stringify({ hashIterations: 27_500, algorithm: 'pbkdf2-sha256', additionalParameters: {} }),
  };
}

/** Keycloak's HmacOTP.generateSecret: random letters and digits, used as text. */
function otpText(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(20), (b) => chars[b % chars.length]).join('');
}

async function post(emu: RunningEmulator, path: string, body: unknown): Promise<boolean> {
  const r = await request(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await r.body.json()) as { ok: boolean }).ok;
}

describe('Keycloak on PostgreSQL: one realm of two, passwords and OTP in credential (#20, #11)', function () {
  this.timeout(240_000);
  let db: ScratchDb;
  let emu: RunningEmulator;
  let dir: string;
  let config: string;
  const users: { id: string; realm: string; username: string; password: string; otp: string | null }[] = [];
  const sub = (id: string): string => `kc-${id}`;

  async function addUser(realm: string, username: string, password: string, otp: string | null): Promise<string> {
    const id = randomUUID();
    await db.exec(`INSERT INTO user_entity (id, email, email_constraint, email_verified, enabled, first_name, last_name, realm_id, username, created_timestamp)
      VALUES (?, ?, ?, true, true, ?, ?, ?, ?, ?)`, [id, `${username}@example.org`, `${username}@example.org`, 'Given', username, realm, username, Date.now()]);
    await setPassword(id, password);
    if (otp !== null) await addOtp(id, otp);
    users.push({ id, realm, username, password, otp });
    return id;
  }
  async function setPassword(userId: string, password: string): Promise<void> {
    const pw = passwordCredential(password);
    const existing = await db.exec(`SELECT id, secret_data, credential_data FROM credential WHERE user_id = ? AND type = 'password'`, [userId]);
    if (existing[0]) {
      // Keycloak keeps the old hash as a password-history credential, then updates the password row.
      await db.exec(`INSERT INTO credential (id, type, user_id, created_date, secret_data, credential_data, priority) VALUES (?, 'password-history', ?, ?, ?, ?, 10)`,
        [randomUUID(), userId, Date.now(), existing[0].secret_data, existing[0].credential_data]);
      await db.exec('UPDATE credential SET secret_data = ?, credential_data = ?, created_date = ? WHERE id = ?', [pw.secret, pw.credential, Date.now(), existing[0].id]);
    } else {
      await db.exec(`INSERT INTO credential (id, type, user_id, created_date, secret_data, credential_data, priority) VALUES (?, 'password', ?, ?, ?, ?, 10)`,
        [randomUUID(), userId, Date.now(), pw.secret, pw.credential]);
    }
  }
  async function addOtp(userId: string, text: string): Promise<void> {
    await db.exec(`INSERT INTO credential (id, type, user_id, created_date, user_label, secret_data, credential_data, priority) VALUES (?, 'otp', ?, ?, 'Phone', ?, ?, 20)`,
      [randomUUID(), userId, Date.now(), JSON.stringify({ value: text }), JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' })]);
  }
  const totpOk = (id: string, text: string): Promise<boolean> => post(emu, '/_emulator/totp', { sub: sub(id), code: totpCode(base32Encode(Buffer.from(text, 'utf8'))) });
  const login = (id: string, password: string): Promise<boolean> => post(emu, '/_emulator/login', { sub: sub(id), password });
  const streaming = (p: SidecarProcess): Promise<unknown> => p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 120_000);

  before(async () => {
    db = await createScratchDb('postgres', 'keycloak');
    for (const sql of SCHEMA) await db.exec(sql);
    await db.publish(['user_entity', 'credential']);
    await db.exec('INSERT INTO realm (id, name) VALUES (?, ?), (?, ?)', [SHOP, 'shop', MASTER, 'master']);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-keycloak-'));
    for (let i = 0; i < 6; i++) await addUser(SHOP, `shopper${i}`, `Pw-${i}-short`, i % 3 === 0 ? otpText() : null);
    for (let i = 0; i < 2; i++) await addUser(MASTER, `admin${i}`, `Admin-${i}-pass`, null);
    await writeFile(join(dir, 'client-secret'), CLIENT_SECRET);
    config = join(dir, 'cidaas-sync.yaml');
    await writeFile(config, stringify({
      source: { kind: 'postgres', url: db.url, slot: uniqueName('slot'), publication: db.publication },
      users: {
        table: 'public.user_entity', key: 'id', filter: { realm_id: SHOP },
        fields: { email: 'email', email_verified: 'email_verified', given_name: 'first_name', family_name: 'last_name', username: 'username' },
      },
      password: { table: 'public.credential', userKey: 'user_id', hash: 'secret_data', parameters: 'credential_data', filter: { type: 'password' } },
      mfa: { table: 'public.credential', userKey: 'user_id', secret: 'secret_data', parameters: 'credential_data', encoding: 'keycloak', filter: { type: 'otp' } },
      sub: { prefix: 'kc-' },
      cidaas: { baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: `\${file:${join(dir, 'client-secret')}}`, batchSize: 3, allowEmulator: true },
      state: { url: `sqlite:${join(dir, 'state.db')}` },
      http: { port: 0, host: '127.0.0.1' },
    }));
  });

  after(async () => {
    await killAllSidecars();
    await emu?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('syncs the shop realm, survives kill -9, verifies equal, and logs in with the current password only', async () => {
    const shop = users.filter((u) => u.realm === SHOP);
    let p = startSidecar({ args: ['run', '--config', config] });
    await streaming(p);
    for (const u of shop) expect(emu.getUser(sub(u.id))?.username, u.username).to.equal(u.username);
    expect(emu.userCount).to.equal(shop.length);
    for (const u of shop.slice(0, 2)) expect(await login(u.id, u.password), `login of ${u.username}`).to.equal(true);
    const withOtp = shop.filter((u) => u.otp !== null);
    for (const u of withOtp) expect(await totpOk(u.id, u.otp!), `totp of ${u.username}`).to.equal(true);

    // Changes, with a kill -9 between them: a new password (the old one goes to password-history),
    // a new user with an OTP device, a changed name, a realm admin changed (not migrated).
    const changed = shop[1]!;
    const oldPassword = changed.password;
    changed.password = 'New-Pw-1-long-enough';
    await setPassword(changed.id, changed.password);
    const fresh = await addUser(SHOP, 'newcomer', 'Newcomer-1', otpText());
    await p.kill9();
    await db.exec('UPDATE user_entity SET first_name = ? WHERE id = ?', ['Renamed', shop[2]!.id]);
    await db.exec('UPDATE user_entity SET first_name = ? WHERE realm_id = ?', ['Admin', MASTER]);
    p = startSidecar({ args: ['run', '--config', config] });
    await streaming(p);
    await waitFor(async () => emu.getUser(sub(fresh)) !== undefined && emu.getUser(sub(shop[2]!.id))?.given_name === 'Renamed'
      && await login(changed.id, changed.password), { timeoutMs: 60_000, message: () => `no convergence after the restart: ${p.stderr.slice(-2000)}` });
    expect(emu.userCount).to.equal(shop.length + 1);
    expect(await login(changed.id, oldPassword), 'the old password').to.equal(false);
    expect(await login(fresh, 'Newcomer-1')).to.equal(true);
    expect(await totpOk(fresh, users.find((u) => u.id === fresh)!.otp!)).to.equal(true);
    for (const u of users.filter((x) => x.realm === MASTER)) expect(emu.getUser(sub(u.id)), u.username).to.equal(undefined);
    await p.terminate();

    const report = join(dir, 'verify.json');
    const verify = await runCli(['verify', '--config', config, '--report', report, '--no-progress'], { timeoutMs: 90_000 });
    expect(verify.code, described(verify)).to.equal(0);
    const json = JSON.parse(await readFile(report, 'utf8')) as { legacyUsers: number; counts: Record<string, unknown> };
    expect(json.legacyUsers).to.equal(shop.length + 1);
  });
});
