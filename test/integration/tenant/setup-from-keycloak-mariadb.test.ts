import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { DEFAULT_SCOPES, SETUP_SCOPES, startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createMariaDbDatabase, type MariaDbTestDatabase } from '../../support/servers.js';
import { createShopSchema } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { CLIENT_ID, CLIENT_SECRET } from '../cli/cli-fixture.js';
import { described, runCli, type CliResult } from '../cli/cli-run.js';
import { KEYCLOAK_MYSQL_DDL, KEYCLOAK_MYSQL_TENANT_DDL } from '../platforms/platform-schemas.js';

const REALM = '5e1d7a90-3c2b-4f6e-8a1d-0b9c8d7e6f5a';
const WEB_SECRET = 'Mq4TzR8vLp2NwX6cYb9dKf3gHs7jAe1U';
const GOOGLE_SECRET = 'GOCSPX-keycloak-on-mariadb-google';
const output = (...rs: CliResult[]): string => rs.map((r) => r.stdout + r.stderr).join('\n');

/**
 * `tenant.from` kind keycloak on MySQL/MariaDB: Keycloak's upper-case tables (CLIENT,
 * REDIRECT_URIS, CLIENT_ATTRIBUTES, IDENTITY_PROVIDER, IDENTITY_PROVIDER_CONFIG, REALM), BIT(1)
 * flags, and rows that come back keyed by upper-case column names.
 */
describe('setup reads a Keycloak realm on MariaDB, from Keycloak\'s upper-case tables', function () {
  this.timeout(120_000);
  let db: MariaDbTestDatabase;
  let emulator: RunningEmulator;
  let config: ShopConfigFile;
  before(async () => {
    db = await createMariaDbDatabase('kctenant');
    await createShopSchema({ url: db.url, kind: 'mysql' });
    const sql = await mysql.createConnection({ uri: db.url });
    try {
      for (const ddl of [KEYCLOAK_MYSQL_DDL[0]!, ...KEYCLOAK_MYSQL_TENANT_DDL]) await sql.query(ddl);
      await sql.query('INSERT INTO REALM (ID, NAME) VALUES (?, ?)', [REALM, 'shop']);
      await sql.query(`INSERT INTO CLIENT (ID, ENABLED, FULL_SCOPE_ALLOWED, CLIENT_ID, PUBLIC_CLIENT, SECRET, BEARER_ONLY, REALM_ID, PROTOCOL, NAME,
        CLIENT_AUTHENTICATOR_TYPE, ROOT_URL, STANDARD_FLOW_ENABLED, FRONTCHANNEL_LOGOUT) VALUES
        ('a1', b'1', b'1', 'account', b'1', NULL, b'0', ?, 'openid-connect', '\${client_account}', 'client-secret', '\${authBaseUrl}', b'1', b'1'),
        ('a2', b'1', b'1', 'shop-web', b'0', ?, b'0', ?, 'openid-connect', 'Shop web', 'client-secret', 'https://shop.example', b'1', b'1'),
        ('a3', b'0', b'1', 'old-portal', b'0', 'old-secret-000', b'0', ?, 'openid-connect', 'Old portal', 'client-secret', NULL, b'1', b'1')`,
      [REALM, WEB_SECRET, REALM, REALM]);
      await sql.query("INSERT INTO REDIRECT_URIS (CLIENT_ID, VALUE) VALUES ('a2', '/oidc/callback'), ('a2', 'https://www.shop.example/oidc/callback')");
      await sql.query("INSERT INTO CLIENT_ATTRIBUTES (CLIENT_ID, NAME, VALUE) VALUES ('a2', 'post.logout.redirect.uris', 'https://shop.example/##https://shop.example/bye')");
      await sql.query(`INSERT INTO IDENTITY_PROVIDER (INTERNAL_ID, ENABLED, PROVIDER_ALIAS, PROVIDER_ID, REALM_ID, TRUST_EMAIL, LINK_ONLY, HIDE_ON_LOGIN)
        VALUES ('i1', b'1', 'google', 'google', ?, b'1', b'0', b'0')`, [REALM]);
      await sql.query("INSERT INTO IDENTITY_PROVIDER_CONFIG (IDENTITY_PROVIDER_ID, NAME, VALUE) VALUES ('i1', 'clientId', '5566-kc.apps.googleusercontent.com'), ('i1', 'clientSecret', ?)", [GOOGLE_SECRET]);
    } finally {
      await sql.end();
    }
    emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation: 3 } });
    config = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { tenant: {
        company: { name: 'ACME Shop GmbH', address: 'Hauptstr. 1, 60311 Frankfurt', website: 'https://shop.example' },
        from: { apps: { kind: 'keycloak', realmId: REALM }, providers: { kind: 'keycloak', realmId: REALM } },
      } },
    });
  });
  after(async () => {
    await config?.remove();
    await emulator?.close();
    await db?.drop();
  });

  it('plans and applies the realm\'s client and Google broker with their URIs, flags and secrets, shows no secret', async () => {
    const plan = await runCli(['setup', 'plan', '--config', config.path]);
    expect(plan.code, described(plan)).to.equal(5);
    expect(plan.stdout.split('\n').filter((l) => /^[+~=] /.test(l))).to.deep.equal(['+ socialProvider google: create', '+ app shop-web: create']);
    expect(plan.stdout).to.contain('note: app account: a Keycloak built-in client; not migrated');
    expect(plan.stdout).to.contain('note: app old-portal: disabled in Keycloak');
    const apply = await runCli(['setup', 'apply', '--config', config.path]);
    expect(apply.code, described(apply)).to.equal(0);
    const web = emulator.setup.apps.get('shop-web')!;
    expect(web).to.include({ client_type: 'REGULAR_WEB', client_name: 'Shop web', client_secret: WEB_SECRET });
    expect(web['redirect_uris']).to.deep.equal(['https://shop.example/oidc/callback', 'https://www.shop.example/oidc/callback']);
    expect(web['allowed_logout_urls']).to.deep.equal(['https://shop.example/', 'https://shop.example/bye']);
    expect(web['social_providers']).to.deep.equal([{ provider_name: 'google' }]);
    expect([...emulator.setup.social.values()].map((p) => [p['provider_name'], p['client_id'], p['client_secret']]))
      .to.deep.equal([['google', '5566-kc.apps.googleusercontent.com', GOOGLE_SECRET]]);
    for (const s of [WEB_SECRET, GOOGLE_SECRET, 'old-secret-000']) expect(output(plan, apply)).not.to.contain(s);
  });

  it('stops on a realmId that is the realm\'s name, naming its id and Keycloak\'s REALM table', async () => {
    const byName = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { tenant: { from: { providers: { kind: 'keycloak', realmId: 'shop' } } } },
    });
    try {
      const r = await runCli(['setup', 'plan', '--config', byName.path]);
      expect(r.code, described(r)).to.equal(1);
      expect(r.stderr).to.contain('no realm with id shop').and.contain(`realmId: ${REALM}`);
    } finally {
      await byName.remove();
    }
  });
});
