import { expect } from 'chai';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { createPostgresDatabase, uniqueName, type PostgresTestDatabase } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { runCli } from '../cli/cli-run.js';
import { CLIENT_ID, CLIENT_SECRET, closePlatformRun, loginOk, writePlatformConfig, type PlatformConfig } from './platform-fixture.js';

/*
 * Spring Security's JDBC schema as spring-security ships it for PostgreSQL
 * (core/src/main/resources/org/springframework/security/core/userdetails/jdbc/users-postgresql.ddl),
 * with the email column an application adds, and passwords as DelegatingPasswordEncoder stores them.
 * The two fixed values are DelegatingPasswordEncoder's own documented examples of "password".
 */
const DDL = [
  `CREATE TABLE users (username varchar(50) NOT NULL PRIMARY KEY, password varchar(500) NOT NULL, enabled boolean NOT NULL)`,
  `CREATE TABLE authorities (username varchar(50) NOT NULL, authority varchar(50) NOT NULL,
     CONSTRAINT fk_authorities_users FOREIGN KEY (username) REFERENCES users (username))`,
  `CREATE UNIQUE INDEX ix_auth_username ON authorities (username, authority)`,
  `ALTER TABLE users ADD COLUMN email varchar(255)`,
];
const DOC_BCRYPT = '{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG';
const DOC_PBKDF2 = '{pbkdf2}5d923b44a6d129f3ddf3e3c8d29412723dcbde72445e8ef6bf3b508fbf17fa4ed4d6b99ca763d8dc';

/** Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8() under its id. */
function pbkdf2V58(password: string): string {
  const salt = randomBytes(16);
  return `{pbkdf2@SpringSecurity_v5_8}${Buffer.concat([salt, pbkdf2Sync(password, salt, 310_000, 32, 'sha256')]).toString('hex')}`;
}

describe('a Spring Security application on PostgreSQL: JDBC users, {id} passwords, {noop} re-encoded by the DBA', function () {
  this.timeout(240_000);
  let db: PostgresTestDatabase;
  let sql: pg.Client;
  let emu: RunningEmulator;
  let config: PlatformConfig;
  let sidecar: SidecarProcess;
  const sub = (u: string): string => `spring-${u}`;

  async function addUser(username: string, password: string): Promise<void> {
    await sql.query('INSERT INTO users (username, password, enabled, email) VALUES ($1, $2, true, $3)', [username, password, `${username}@spring.example`]);
    await sql.query(`INSERT INTO authorities VALUES ($1, 'ROLE_USER')`, [username]);
  }

  function streaming(p: SidecarProcess): Promise<unknown> {
    return p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 120_000);
  }

  before(async () => {
    db = await createPostgresDatabase('spring');
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    for (const s of DDL) await sql.query(s);
    const publication = uniqueName('pub');
    await sql.query(`CREATE PUBLICATION ${publication} FOR TABLE users`);
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    config = await writePlatformConfig({
      kind: 'postgres', url: db.url, publication, emulatorUrl: emu.url,
      body: {
        users: { table: 'public.users', key: 'username', softDelete: { column: 'enabled', equals: false }, fields: { email: 'email', username: 'username' } },
        password: { hash: 'password', algorithm: 'auto' },
        sub: { prefix: 'spring-' },
      },
    });
  });

  after(() => closePlatformRun({ emu, sql, db, config }));

  it('logs in with every factory format, dead-letters {noop} without its value until it is re-encoded, across a kill -9, and verifies equal', async () => {
    await addUser('doc-bcrypt', DOC_BCRYPT);
    await addUser('doc-pbkdf2', DOC_PBKDF2);
    await addUser('v58', pbkdf2V58('v58-pass'));
    await addUser('pre5', bcrypt.hashSync('pre5-pass', 4)); // BCryptPasswordEncoder alone: no id
    await addUser('plain', '{noop}Plain-Text-77');
    await addUser('leaver', `{bcrypt}${bcrypt.hashSync('leaver-pass', 4)}`);

    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    const summary = await sidecar.waitForLine((l) => l.message.startsWith('backfill done:'));
    expect(summary.message).to.equal('backfill done: 6 users, 1 dead letter (`cidaas-sync dlq list`)');
    for (const [u, pw] of [['doc-bcrypt', 'password'], ['doc-pbkdf2', 'password'], ['v58', 'v58-pass'], ['pre5', 'pre5-pass']] as const) {
      await waitFor(() => emu.getUser(sub(u)) !== undefined, { timeoutMs: 60_000, message: `${u} did not reach cidaas` });
      expect(await loginOk(emu, sub(u), pw), `${u} logs in`).to.equal(true);
      expect(await loginOk(emu, sub(u), `${pw}-wrong`), `${u} refuses a wrong password`).to.equal(false);
    }
    expect(emu.getUser(sub('plain'))).to.equal(undefined);
    const listed = await runCli(['dlq', 'list', '--config', config.path]);
    expect(listed.stdout).to.include('plain').and.include('Spring Security {noop}: a plaintext password');
    expect(listed.stdout).to.not.include('Plain-Text-77');

    // The sidecar dies; meanwhile the DBA re-encodes the plaintext rows as the README says, and a user leaves.
    await sidecar.kill9();
    await sql.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    await sql.query(`UPDATE users SET password = '{bcrypt}' || crypt(substr(password, 7), gen_salt('bf', 10)) WHERE password LIKE '{noop}%'`);
    await sql.query('UPDATE users SET enabled = false WHERE username = $1', ['leaver']);
    sidecar = startSidecar({ args: ['run', '--config', config.path] });
    await streaming(sidecar);
    // After the restart the application changes a password (JdbcUserDetailsManager.changePassword).
    await sql.query('UPDATE users SET password = $1 WHERE username = $2', [`{bcrypt}${bcrypt.hashSync('new-pass', 4)}`, 'pre5']);

    await waitFor(async () => (await loginOk(emu, sub('plain'), 'Plain-Text-77')) && (await loginOk(emu, sub('pre5'), 'new-pass'))
      && emu.getUser(sub('leaver')) === undefined,
    { timeoutMs: 60_000, message: 'the re-encoded password, the new password or the delete did not reach cidaas' });
    expect(await loginOk(emu, sub('pre5'), 'pre5-pass')).to.equal(false);
    expect((await sidecar.terminate()).code).to.equal(0);

    const v = await runCli(['verify', '--config', config.path, '--no-progress', '--report', join(config.dir, 'verify.json')], { timeoutMs: 60_000 });
    expect(v.code, `verify: ${v.stdout}\n${v.stderr}`).to.equal(0);
  });
});
