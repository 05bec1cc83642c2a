import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { DEFAULT_SCOPES, SETUP_SCOPES, startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createMariaDbDatabase, type MariaDbTestDatabase } from '../../support/servers.js';
import { createShopSchema } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { CLIENT_ID, CLIENT_SECRET, cliFixture, type CliFixture } from '../cli/cli-fixture.js';
import { described, runCli, type CliResult } from '../cli/cli-run.js';
import { KEYCLOAK_DDL, KEYCLOAK_TENANT_DDL, wordpressOptionsDdl } from '../platforms/platform-schemas.js';
import { NSL_FACEBOOK_SECRET, NSL_GOOGLE_SECRET, NSL_OPTIONS, NSL_TWITTER_SECRET, WSL_FACEBOOK_SECRET, WSL_GOOGLE_SECRET, WSL_OPTIONS, WSL_TWITTER_SECRET } from './nextend-options.js';

const REALM = '4f3a6c2e-8d1b-4e7a-9c55-2b0d7e1f9a10';
const OTHER_REALM = '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const SHOP_WEB_SECRET = 'Xq7UeVb2mN9pLr4sTw8yZa1cDf6gHj3K';
const EXPORT_SECRET = 'aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ';
const BROKER_SECRET = 'brokerSecretNeverMigrated0123456';
const GOOGLE_SECRET = 'GOCSPX-keycloak-google-idp-secret';
const PARTNER_SECRET = 'partner-oidc-idp-secret-abcdef';
const MS_SECRET = 'ms-link-only-broker-secret-42';
const SECRETS = [SHOP_WEB_SECRET, EXPORT_SECRET, BROKER_SECRET, GOOGLE_SECRET, PARTNER_SECRET, MS_SECRET];

const output = (...rs: CliResult[]): string => rs.map((r) => r.stdout + r.stderr).join('\n');

/**
 * One realm as Keycloak 26 writes it: the six built-in clients of every realm (names
 * `${client_…}`, root URLs `${authBaseUrl}`), a confidential web client, a public SPA, a
 * service-account client; a Google and a generic OIDC broker, a disabled Facebook one and a
 * GitHub one whose secret is in Keycloak's vault; and another realm's client, which must not show.
 */
async function keycloakRealm(f: CliFixture): Promise<void> {
  for (const ddl of [KEYCLOAK_DDL[0]!, ...KEYCLOAK_TENANT_DDL]) await f.shop.query(ddl);
  await f.shop.query(`INSERT INTO realm (id, name) VALUES ('${REALM}', 'shop'), ('${OTHER_REALM}', 'staff')`);
  const clients: [string, string, string | null, Record<string, unknown>][] = [
    ['c1000000-0000-4000-8000-000000000001', 'account', '${client_account}', { public_client: true, root_url: '${authBaseUrl}', base_url: '/realms/shop/account/' }],
    ['c1000000-0000-4000-8000-000000000002', 'account-console', '${client_account-console}', { public_client: true, root_url: '${authBaseUrl}' }],
    ['c1000000-0000-4000-8000-000000000003', 'admin-cli', '${client_admin-cli}', { public_client: true, standard_flow_enabled: false, direct_access_grants_enabled: true }],
    ['c1000000-0000-4000-8000-000000000004', 'broker', '${client_broker}', { bearer_only: true, secret: BROKER_SECRET }],
    ['c1000000-0000-4000-8000-000000000005', 'realm-management', '${client_realm-management}', { bearer_only: true }],
    ['c1000000-0000-4000-8000-000000000006', 'security-admin-console', '${client_security-admin-console}', { public_client: true, root_url: '${authAdminUrl}' }],
    ['c2000000-0000-4000-8000-000000000001', 'shop-web', 'Shop web', { secret: SHOP_WEB_SECRET, root_url: 'https://shop.example', frontchannel_logout: true }],
    ['c2000000-0000-4000-8000-000000000002', 'shop-spa', 'Shop app', { public_client: true, root_url: 'https://app.shop.example' }],
    ['c2000000-0000-4000-8000-000000000003', 'nightly-export', null, { secret: EXPORT_SECRET, standard_flow_enabled: false, service_accounts_enabled: true }],
  ];
  for (const [id, clientId, name, o] of clients) {
    await f.shop.query(
      `INSERT INTO client (id, enabled, full_scope_allowed, client_id, public_client, secret, bearer_only, realm_id, protocol, name, client_authenticator_type,
        root_url, base_url, standard_flow_enabled, direct_access_grants_enabled, service_accounts_enabled, frontchannel_logout)
       VALUES ($1, true, true, $2, $3, $4, $5, $6, 'openid-connect', $7, 'client-secret', $8, $9, $10, $11, $12, $13)`,
      [id, clientId, o['public_client'] ?? false, o['secret'] ?? null, o['bearer_only'] ?? false, REALM, name, o['root_url'] ?? null, o['base_url'] ?? null,
        o['standard_flow_enabled'] ?? true, o['direct_access_grants_enabled'] ?? false, o['service_accounts_enabled'] ?? false, o['frontchannel_logout'] ?? true],
    );
  }
  await f.shop.query(`INSERT INTO client (id, enabled, client_id, realm_id, protocol, secret) VALUES ('c3000000-0000-4000-8000-000000000001', true, 'staff-portal', '${OTHER_REALM}', 'openid-connect', 'other-realm-secret')`);
  await f.shop.query(`INSERT INTO redirect_uris (client_id, value) VALUES
    ('c1000000-0000-4000-8000-000000000001', '/realms/shop/account/*'), ('c1000000-0000-4000-8000-000000000006', '/admin/shop/console/*'),
    ('c2000000-0000-4000-8000-000000000001', '/oidc/callback'), ('c2000000-0000-4000-8000-000000000001', 'https://www.shop.example/oidc/callback'),
    ('c2000000-0000-4000-8000-000000000002', 'https://app.shop.example/callback'), ('c2000000-0000-4000-8000-000000000002', 'https://app.shop.example/*')`);
  await f.shop.query(`INSERT INTO client_attributes (client_id, name, value) VALUES
    ('c2000000-0000-4000-8000-000000000001', 'post.logout.redirect.uris', 'https://shop.example/##https://shop.example/goodbye'),
    ('c2000000-0000-4000-8000-000000000001', 'backchannel.logout.session.required', 'true'),
    ('c2000000-0000-4000-8000-000000000002', 'post.logout.redirect.uris', '+'),
    ('c2000000-0000-4000-8000-000000000002', 'pkce.code.challenge.method', 'S256')`);
  await f.shop.query(`INSERT INTO identity_provider (internal_id, enabled, provider_alias, provider_id, realm_id, provider_display_name, trust_email, hide_on_login) VALUES
    ('d1000000-0000-4000-8000-000000000001', true, 'google', 'google', '${REALM}', NULL, true, false),
    ('d1000000-0000-4000-8000-000000000002', true, 'partner-oidc', 'oidc', '${REALM}', 'Partner login', false, false),
    ('d1000000-0000-4000-8000-000000000003', false, 'facebook', 'facebook', '${REALM}', NULL, false, false),
    ('d1000000-0000-4000-8000-000000000004', true, 'github', 'github', '${REALM}', NULL, false, false)`);
  // A link-only broker: users link their Microsoft account but do not log in with it.
  await f.shop.query(`INSERT INTO identity_provider (internal_id, enabled, provider_alias, provider_id, realm_id, link_only) VALUES
    ('d1000000-0000-4000-8000-000000000005', true, 'microsoft', 'microsoft', '${REALM}', true)`);
  const config: [string, string, string][] = [
    ['d1000000-0000-4000-8000-000000000001', 'clientId', '448812344321-kc.apps.googleusercontent.com'], ['d1000000-0000-4000-8000-000000000001', 'clientSecret', GOOGLE_SECRET],
    ['d1000000-0000-4000-8000-000000000001', 'syncMode', 'IMPORT'], ['d1000000-0000-4000-8000-000000000001', 'clientAuthMethod', 'client_secret_post'],
    ['d1000000-0000-4000-8000-000000000002', 'clientId', 'cidaas-at-partner'], ['d1000000-0000-4000-8000-000000000002', 'clientSecret', PARTNER_SECRET],
    ['d1000000-0000-4000-8000-000000000002', 'authorizationUrl', 'https://idp.partner.example/realms/p/protocol/openid-connect/auth'],
    ['d1000000-0000-4000-8000-000000000002', 'tokenUrl', 'https://idp.partner.example/realms/p/protocol/openid-connect/token'],
    ['d1000000-0000-4000-8000-000000000002', 'userInfoUrl', 'https://idp.partner.example/realms/p/protocol/openid-connect/userinfo'],
    ['d1000000-0000-4000-8000-000000000002', 'defaultScope', 'openid email profile'], ['d1000000-0000-4000-8000-000000000002', 'useJwksUrl', 'true'],
    ['d1000000-0000-4000-8000-000000000003', 'clientId', 'fb-app'], ['d1000000-0000-4000-8000-000000000003', 'clientSecret', 'fb-disabled-secret'],
    ['d1000000-0000-4000-8000-000000000004', 'clientId', 'gh-oauth-app'], ['d1000000-0000-4000-8000-000000000004', 'clientSecret', '${vault.github_secret}'],
    ['d1000000-0000-4000-8000-000000000005', 'clientId', 'ms-app-id'], ['d1000000-0000-4000-8000-000000000005', 'clientSecret', MS_SECRET],
  ];
  for (const [id, name, value] of config) await f.shop.query('INSERT INTO identity_provider_config (identity_provider_id, name, value) VALUES ($1, $2, $3)', [id, name, value]);
}

for (const generation of [3, 4] as const) {
  describe(`setup reads a Keycloak realm's clients and identity providers, cidaas ${generation}.x (#16)`, function () {
    this.timeout(120_000);
    let f: CliFixture;
    let config: string;
    let secretsFile: string;
    before(async () => {
      f = await cliFixture({ emulator: { scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation } } });
      await keycloakRealm(f);
      secretsFile = join(f.config.dir, 'app-secrets.jsonl');
      config = (await f.writeConfig({ extra: { tenant: {
        secretsFile,
        company: { name: 'ACME Shop GmbH', address: 'Hauptstr. 1, 60311 Frankfurt', website: 'https://shop.example' },
        from: { apps: { kind: 'keycloak', realmId: REALM }, providers: { kind: 'keycloak', realmId: REALM } },
      } } })).path;
    });
    after(async () => { await f?.close(); });

    it('plans exactly the realm\'s own apps and the migratable providers, with notes for the rest and no secret', async () => {
      const plan = await runCli(['setup', 'plan', '--config', config]);
      expect(plan.code, described(plan)).to.equal(5);
      const planned = plan.stdout.split('\n').filter((l) => /^[+~=] /.test(l));
      expect(planned).to.deep.equal([
        '+ socialProvider google: create', '+ socialProvider microsoft: create', '+ customProvider partner-oidc: create',
        '+ app nightly-export: create', '+ app shop-spa: create', '+ app shop-web: create',
      ]);
      for (const id of ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']) {
        expect(plan.stdout).to.contain(`note: app ${id}: a Keycloak built-in client; not migrated`);
      }
      expect(plan.stdout).to.contain('note: app shop-spa: redirect URI "https://app.shop.example/*" is a Keycloak wildcard');
      expect(plan.stdout).to.contain('note: provider facebook (Keycloak facebook): disabled in Keycloak');
      expect(plan.stdout).to.contain('note: provider github (Keycloak github): its clientSecret is a Keycloak vault reference');
      expect(plan.stdout).not.to.contain('staff-portal');
      for (const s of SECRETS) expect(output(plan)).not.to.contain(s);
    });

    it('applies them: legacy client_ids, types, grants, URIs, the realm\'s login providers (not the link-only one) on every app; then plans nothing to do', async () => {
      const apply = await runCli(['setup', 'apply', '--config', config]);
      expect(apply.code, described(apply)).to.equal(0);
      expect(apply.stdout).to.contain('applied: 6 created, 0 changed, 0 unchanged');
      const apps = f.emulator.setup.apps;
      expect([...apps.keys()].sort()).to.deep.equal(['nightly-export', 'shop-spa', 'shop-web']);
      const web = apps.get('shop-web')!;
      expect(web).to.include({ client_type: 'REGULAR_WEB', client_name: 'Shop web' });
      expect(web['grant_types']).to.deep.equal(['authorization_code', 'refresh_token']);
      expect(apps.get('shop-spa')).to.include({ client_type: 'SINGLE_PAGE' });
      expect(apps.get('nightly-export')).to.include({ client_type: 'NON_INTERACTIVE', client_name: 'nightly-export' });
      expect(apps.get('nightly-export')!['grant_types']).to.deep.equal(['client_credentials']);
      if (generation === 3) {
        expect(web['redirect_uris']).to.deep.equal(['https://shop.example/oidc/callback', 'https://www.shop.example/oidc/callback']);
        expect(web['allowed_logout_urls']).to.deep.equal(['https://shop.example/', 'https://shop.example/goodbye']);
        expect(apps.get('shop-spa')!['allowed_logout_urls']).to.deep.equal(['https://app.shop.example/callback']);
        expect(web['client_secret']).to.equal(SHOP_WEB_SECRET);
        expect(apps.get('nightly-export')!['client_secret']).to.equal(EXPORT_SECRET);
        expect(web['social_providers']).to.deep.equal([{ provider_name: 'google' }]);
        expect(web['custom_providers']).to.deep.equal([{ provider_name: 'partner-oidc' }]);
        expect([...f.emulator.setup.custom.keys()]).to.deep.equal(['partner-oidc']);
      } else {
        expect(web['redirect_uris']).to.deep.equal({ redirect_uris: ['https://shop.example/oidc/callback', 'https://www.shop.example/oidc/callback'], allowed_logout_urls: ['https://shop.example/', 'https://shop.example/goodbye'] });
        expect(web['social_providers']).to.deep.equal(['google']);
        expect(web['custom_providers']).to.deep.equal(['partner-oidc']);
        const custom = [...f.emulator.setup.custom.values()];
        expect(custom.map((p) => p['provider_name'])).to.deep.equal(['partner-oidc']);
        expect(custom[0]!['oauth2']).to.include({ client_id: 'cidaas-at-partner', client_secret: PARTNER_SECRET, userinfo_endpoint: 'https://idp.partner.example/realms/p/protocol/openid-connect/userinfo' });
        // 4.x cannot import a secret: the two confidential apps got new ones, in the 0600 file only.
        const lines = (await readFile(secretsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { client_id: string; client_secret: string });
        expect(lines.map((l) => l.client_id).sort()).to.deep.equal(['nightly-export', 'shop-web']);
        for (const l of lines) expect(output(apply)).not.to.contain(l.client_secret);
      }
      const social = [...f.emulator.setup.social.values()];
      expect(social.map((p) => [p['provider_name'], p['client_id'], p['client_secret']])).to.deep.equal([
        ['google', '448812344321-kc.apps.googleusercontent.com', GOOGLE_SECRET], ['microsoft', 'ms-app-id', MS_SECRET],
      ]);
      for (const s of SECRETS) expect(output(apply)).not.to.contain(s);
      const again = await runCli(['setup', 'plan', '--config', config]);
      expect(again.code, described(again)).to.equal(0);
      expect(again.stdout).to.contain('0 to create, 0 to change, 6 unchanged');
    });

    // Generation-independent: once each, to keep the suite lean.
    if (generation === 3) it('stops on a realmId that is the realm\'s name, naming its id', async () => {
      const byName = (await f.writeConfig({ extra: { tenant: { from: { providers: { kind: 'keycloak', realmId: 'shop' } } } } })).path;
      const r = await runCli(['setup', 'plan', '--config', byName]);
      expect(r.code, described(r)).to.equal(1);
      expect(r.stderr).to.contain('SETUP_PRECONDITION').and.contain('no realm with id shop').and.contain(`realmId: ${REALM}`);
    });

    if (generation === 4) it('lets a declared app win over the one read from Keycloak, and says so', async () => {
      const over = (await f.writeConfig({ extra: { tenant: {
        secretsFile,
        company: { name: 'ACME Shop GmbH', address: 'Hauptstr. 1, 60311 Frankfurt', website: 'https://shop.example' },
        apps: [{ clientId: 'shop-spa', name: 'Shop app (declared)', type: 'SINGLE_PAGE', redirectUris: ['https://app.shop.example/callback'],
          logoutUris: ['https://app.shop.example/callback'], socialProviders: ['google'], customProviders: ['partner-oidc'] }],
        from: { apps: { kind: 'keycloak', realmId: REALM }, providers: { kind: 'keycloak', realmId: REALM } },
      } } })).path;
      const plan = await runCli(['setup', 'plan', '--config', over]);
      expect(plan.code, described(plan)).to.equal(5);
      expect(plan.stdout).to.match(/^~ app shop-spa: update\n {4}client_name: "Shop app" -> "Shop app \(declared\)"$/m);
      expect(plan.stdout).to.contain('note: app shop-spa: declared under tenant.apps, which wins over the one read from the legacy database');
      expect(plan.stdout).to.contain('0 to create, 1 to change, 5 unchanged');
    });
  });
}

describe('setup reads social-login plugin providers from WordPress options on MariaDB (#16)', function () {
  this.timeout(120_000);
  let db: MariaDbTestDatabase;
  let emulator: RunningEmulator;
  let config: ShopConfigFile;
  before(async () => {
    db = await createMariaDbDatabase('tenant');
    await createShopSchema({ url: db.url, kind: 'mysql' });
    const sql = await mysql.createConnection({ uri: db.url });
    try {
      for (const ddl of wordpressOptionsDdl('wp7_')) await sql.query(ddl);
      await sql.query("INSERT INTO wp7_options (option_name, option_value, autoload) VALUES ('siteurl', 'https://shop.example', 'on'), ('nsl-version', '3.0.20', 'on')");
      for (const [name, value] of [...NSL_OPTIONS, ...WSL_OPTIONS]) await sql.query('INSERT INTO wp7_options (option_name, option_value, autoload) VALUES (?, ?, ?)', [name, value, 'auto']);
    } finally {
      await sql.end();
    }
    emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation: 4 } });
    config = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { tenant: { from: { providers: { kind: 'nextend-social-login', tablePrefix: 'wp7_' } } } },
    });
  });
  after(async () => {
    await config?.remove();
    await emulator?.close();
    await db?.drop();
  });

  it('plans and applies the switched-on Google and Facebook logins with the site\'s own OAuth clients, notes the rest, shows no secret', async () => {
    const plan = await runCli(['setup', 'plan', '--config', config.path]);
    expect(plan.code, described(plan)).to.equal(5);
    expect(plan.stdout.split('\n').filter((l) => /^[+~=] /.test(l))).to.deep.equal(['+ socialProvider facebook: create', '+ socialProvider google: create']);
    expect(plan.stdout).to.contain('note: provider twitter (Nextend Social Login): its settings layout is not known to cidaas-sync');
    const apply = await runCli(['setup', 'apply', '--config', config.path]);
    expect(apply.code, described(apply)).to.equal(0);
    const social = [...emulator.setup.social.values()].map((p) => [p['provider_name'], p['client_id'], p['client_secret'], p['enabled']]);
    expect(social).to.deep.equal([
      ['facebook', '1234567890123456', NSL_FACEBOOK_SECRET, true],
      ['google', '448812344321-q1w2e3r4t5y6u7i8o9p0.apps.googleusercontent.com', NSL_GOOGLE_SECRET, true],
    ]);
    const again = await runCli(['setup', 'plan', '--config', config.path]);
    expect(again.code, described(again)).to.equal(0);
    for (const s of [NSL_GOOGLE_SECRET, NSL_FACEBOOK_SECRET, NSL_TWITTER_SECRET]) expect(output(plan, apply, again)).not.to.contain(s);
  });

  it('stops with what to check when the options table is not there (a wrong tablePrefix)', async () => {
    const wrong = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { tenant: { from: { providers: { kind: 'nextend-social-login' } } } },
    });
    try {
      const r = await runCli(['setup', 'plan', '--config', wrong.path]);
      expect(r.code, described(r)).to.equal(1);
      expect(r.stderr).to.contain('SETUP_PRECONDITION').and.contain('wp_options').and.contain('tablePrefix');
    } finally {
      await wrong.remove();
    }
  });

  it('plans and applies WordPress Social Login\'s enabled Google and Facebook logins, notes the rest, shows no secret', async () => {
    emulator.setup.clear();
    const wsl = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { tenant: { from: { providers: { kind: 'wordpress-social-login', tablePrefix: 'wp7_' } } } },
    });
    try {
      const plan = await runCli(['setup', 'plan', '--config', wsl.path]);
      expect(plan.code, described(plan)).to.equal(5);
      expect(plan.stdout.split('\n').filter((l) => /^[+~=] /.test(l))).to.deep.equal(['+ socialProvider facebook: create', '+ socialProvider google: create']);
      expect(plan.stdout).to.contain('note: provider GitHub (WordPress Social Login): configured but not enabled');
      expect(plan.stdout).to.contain('note: provider Twitter (WordPress Social Login): no cidaas social login');
      const apply = await runCli(['setup', 'apply', '--config', wsl.path]);
      expect(apply.code, described(apply)).to.equal(0);
      expect([...emulator.setup.social.values()].map((p) => [p['provider_name'], p['client_id'], p['client_secret']])).to.deep.equal([
        ['facebook', '2345678901234567', WSL_FACEBOOK_SECRET], ['google', '998877665544-wsl.apps.googleusercontent.com', WSL_GOOGLE_SECRET],
      ]);
      const again = await runCli(['setup', 'plan', '--config', wsl.path]);
      expect(again.code, described(again)).to.equal(0);
      for (const s of [WSL_GOOGLE_SECRET, WSL_FACEBOOK_SECRET, WSL_TWITTER_SECRET, 'gh-off-secret']) expect(output(plan, apply, again)).not.to.contain(s);
    } finally {
      await wsl.remove();
    }
  });
});
