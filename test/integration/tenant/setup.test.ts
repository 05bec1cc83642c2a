import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_SCOPES, SETUP_SCOPES } from '../../../tools/emulator/cidaas-emulator.js';
import { cliFixture, type CliFixture } from '../cli/cli-fixture.js';
import { described, runCli, type CliResult } from '../cli/cli-run.js';

const GOOGLE_SECRET = 'google-oauth-secret-of-the-legacy-site-1234';
const PARTNER_SECRET = 'partner-idp-secret-5678-abcdefgh';
const LEGACY_APP_SECRET = 'legacy-shop-app-secret-9876-zyxw';
const ENV = { env: { GOOGLE_SECRET, PARTNER_SECRET, LEGACY_APP_SECRET } };

/** A tenant declaration as an integrator would write it (issue #16). */
function tenant(secretsFile: string, over: { label?: string; appScopes?: string[] } = {}): Record<string, unknown> {
  return {
    apiGeneration: 'auto',
    secretsFile,
    company: { name: 'ACME Shop GmbH', address: 'Hauptstr. 1, 60311 Frankfurt', website: 'https://shop.example' },
    fields: [{ key: 'customer_no', type: 'TEXT', labels: { en: over.label ?? 'Customer number', de: 'Kundennummer' }, maxLength: 32 }],
    roles: [{ role: 'shop_admin', name: 'Shop administrator' }],
    groupTypes: [{ groupType: 'region', roleMode: 'allowed_roles', allowedRoles: ['shop_admin'] }],
    // The child first: apply must create the parent before it.
    groups: [{ groupId: 'de-south', name: 'Germany south', groupType: 'region', parentId: 'de' }, { groupId: 'de', name: 'Germany', groupType: 'region' }],
    socialProviders: [{ provider: 'google', clientId: 'legacy-google-client.apps.googleusercontent.com', clientSecret: '${GOOGLE_SECRET}', scopes: ['email', 'profile'] }],
    customProviders: [{ name: 'partner-idp', displayName: 'Partner login', clientId: 'cidaas-at-partner', clientSecret: '${PARTNER_SECRET}',
      authorizationEndpoint: 'https://idp.partner.example/authorize', tokenEndpoint: 'https://idp.partner.example/token', userinfoEndpoint: 'https://idp.partner.example/userinfo' }],
    apps: [
      { clientId: 'legacy-shop-web', name: 'Shop web', type: 'REGULAR_WEB', clientSecret: '${LEGACY_APP_SECRET}', redirectUris: ['https://shop.example/callback'],
        logoutUris: ['https://shop.example/'], scopes: over.appScopes ?? ['openid', 'profile', 'email'], socialProviders: ['google'], customProviders: ['partner-idp'] },
      { clientId: 'legacy-shop-spa', name: 'Shop app', type: 'SINGLE_PAGE', redirectUris: ['https://app.shop.example/cb'] },
    ],
  };
}

const outputOf = (r: CliResult): string => r.stdout + r.stderr;

for (const generation of [3, 4] as const) {
  describe(`cidaas-sync setup plan|apply against a cidaas ${generation}.x tenant${generation === 4 ? ' (apps under cidaas\'s own client\'s path)' : ''} (#16)`, function () {
    this.timeout(120_000);
    let f: CliFixture;
    let secretsFile: string;
    let config: string;

    before(async () => {
      f = await cliFixture({ emulator: { scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation, strictFields: true, ...(generation === 4 ? { appsPath4: '/app-srv/apps' } : {}) } } });
      secretsFile = join(f.config.dir, 'app-secrets.jsonl');
      config = (await f.writeConfig({ extra: { tenant: tenant(secretsFile) } })).path;
    });
    after(async () => { await f?.close(); });

    it('plans every object as a creation on an empty tenant (exit 5), then applies them in dependency order', async () => {
      const plan = await runCli(['setup', 'plan', '--config', config], ENV);
      expect(plan.code, described(plan)).to.equal(5);
      expect(plan.stdout).to.contain(`cidaas ${generation}.x`).and.contain('9 to create, 0 to change, 0 unchanged; nothing is ever deleted');
      const apply = await runCli(['setup', 'apply', '--config', config], ENV);
      expect(apply.code, described(apply)).to.equal(0);
      expect(apply.stdout).to.contain('applied: 9 created, 0 changed, 0 unchanged');
      const writes = f.emulator.setup.writes;
      const groupWrites = writes.filter((w) => w.includes('usergroups'));
      expect(groupWrites).to.have.length(2);
      expect([...f.emulator.setup.groups.keys()]).to.deep.equal(['de', 'de-south']);
      // Apps keep their legacy client_id.
      expect([...f.emulator.setup.apps.keys()].sort()).to.deep.equal(['legacy-shop-spa', 'legacy-shop-web']);
      expect(writes.some((w) => w.startsWith('DELETE'))).to.equal(false);
      for (const secret of [GOOGLE_SECRET, PARTNER_SECRET, LEGACY_APP_SECRET]) expect(outputOf(plan) + outputOf(apply)).not.to.contain(secret);
    });

    it('then plans nothing to do (exit 0), and a second apply changes nothing', async () => {
      const plan = await runCli(['setup', 'plan', '--config', config], ENV);
      expect(plan.code, described(plan)).to.equal(0);
      expect(plan.stdout).to.contain('0 to create, 0 to change, 9 unchanged');
      const before = f.emulator.setup.writes.length;
      const again = await runCli(['setup', 'apply', '--config', config], ENV);
      expect(again.code, described(again)).to.equal(0);
      expect(f.emulator.setup.writes.length).to.equal(before);
    });

    it(generation === 3 ? 'keeps the legacy client secret of a 3.x app' : 'writes a new 4.x client secret only to the 0600 secrets file, never to the output', async () => {
      const app = f.emulator.setup.apps.get('legacy-shop-web')!;
      if (generation === 3) {
        expect(app['client_secret']).to.equal(LEGACY_APP_SECRET);
        await stat(secretsFile).then(() => expect.fail('no secrets file on 3.x'), () => undefined);
        return;
      }
      const st = await stat(secretsFile);
      expect(st.mode & 0o777).to.equal(0o600);
      const lines = (await readFile(secretsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { client_id: string; client_secret: string });
      expect(lines.map((l) => l.client_id)).to.deep.equal(['legacy-shop-web']);
      expect(lines[0]!.client_secret).to.match(/^[A-Za-z0-9_-]{40,}$/);
      const plan = await runCli(['setup', 'plan', '--config', config], ENV);
      expect(outputOf(plan)).not.to.contain(lines[0]!.client_secret);
    });

    it('shows a changed label as one change of one field, and a changed secret only as "changed"', async () => {
      const changed = (await f.writeConfig({ extra: { tenant: tenant(secretsFile, { label: 'Customer no.' }) } })).path;
      const plan = await runCli(['setup', 'plan', '--config', changed], { env: { ...ENV.env, GOOGLE_SECRET: 'a-rotated-google-secret-0000' } });
      expect(plan.code, described(plan)).to.equal(5);
      expect(plan.stdout).to.match(/^~ field customer_no: update\n {4}localeTexts: .*"Customer number".* -> .*"Customer no\.".*$/m);
      expect(plan.stdout).to.match(/^~ socialProvider google: update\n {4}client_secret: changed$/m);
      expect(plan.stdout).to.contain('0 to create, 2 to change, 7 unchanged');
      expect(plan.stdout).not.to.contain('a-rotated-google-secret-0000');
    });

    it('stops at an unknown scope with cidaas\'s code and the fix, and resumes after the fix', async () => {
      f.emulator.setup.clear();
      const bad = (await f.writeConfig({ extra: { tenant: tenant(join(f.config.dir, 'more-secrets.jsonl'), { appScopes: ['openid', 'shop:orders'] }) } })).path;
      const r = await runCli(['setup', 'apply', '--config', bad], ENV);
      expect(r.code, described(r)).to.equal(1);
      expect(r.stderr).to.contain('SETUP_REFUSED').and.contain('APP10061').and.contain('shop:orders').and.contain('add the scope in cidaas');
      // Everything before the app was applied and stays.
      expect(f.emulator.setup.fields.has('customer_no')).to.equal(true);
      expect(f.emulator.setup.apps.size).to.equal(0);
      const fixed = await runCli(['setup', 'apply', '--config', config], ENV);
      expect(fixed.code, described(fixed)).to.equal(0);
      expect(fixed.stdout).to.contain('applied: 2 created, 0 changed, 7 unchanged');
    });
  });
}

describe('setup preconditions of the user sync (#16)', function () {
  this.timeout(120_000);
  let f: CliFixture;
  after(async () => { await f?.close(); });

  it('check fails on a mapped custom field missing in the tenant, with the setup fix; run refuses to start; after apply both pass', async () => {
    f = await cliFixture({ emulator: { scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation: 3, strictFields: true } } });
    const secretsFile = join(f.config.dir, 's.jsonl');
    const config = (await f.writeConfig({ extra: { tenant: { company: tenant(secretsFile)['company'], fields: tenant(secretsFile)['fields'] } } })).path;
    const check = await runCli(['check', '--config', config]);
    expect(check.code, described(check)).to.equal(3);
    expect(check.stdout).to.match(/custom field customer_no.*missing in the tenant's field setup/);
    expect(check.stdout).to.contain('cidaas-sync setup apply --config');
    const run = await runCli(['run', '--config', config]);
    expect(run.code, described(run)).to.equal(1);
    expect(run.stderr).to.contain('SETUP_PRECONDITION').and.contain('customer_no');
    expect(f.emulator.userCount).to.equal(0);
    const apply = await runCli(['setup', 'apply', '--config', config]);
    expect(apply.code, described(apply)).to.equal(0);
    const again = await runCli(['check', '--config', config]);
    expect(again.stdout).to.match(/custom field customer_no.*set up and enabled/);
  });
});

/*
 * Django OAuth Toolkit's own table (oauth2_provider_application, as its migrations 0001..0012
 * leave it): the apps are read from the legacy database instead of being typed again. DOT 2.x
 * stores client secrets hashed (hash_client_secret), so those cannot be migrated.
 */
describe('setup reads OAuth clients from Django OAuth Toolkit\'s table (#16)', function () {
  this.timeout(120_000);
  let f: CliFixture;
  after(async () => { await f?.close(); });

  it('plans and applies the legacy apps with their client_ids, types, grants and redirect URIs', async () => {
    f = await cliFixture({ emulator: { scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation: 3 } } });
    await f.shop.query(`CREATE TABLE oauth2_provider_application (
      id bigserial PRIMARY KEY, client_id varchar(100) NOT NULL UNIQUE, redirect_uris text NOT NULL, client_type varchar(32) NOT NULL,
      authorization_grant_type varchar(32) NOT NULL, client_secret varchar(255) NOT NULL, name varchar(255) NOT NULL, user_id bigint NULL,
      skip_authorization boolean NOT NULL, created timestamptz NOT NULL DEFAULT now(), updated timestamptz NOT NULL DEFAULT now(),
      algorithm varchar(5) NOT NULL DEFAULT '', post_logout_redirect_uris text NOT NULL DEFAULT '', hash_client_secret boolean NOT NULL DEFAULT true,
      allowed_origins text NOT NULL DEFAULT '')`);
    await f.shop.query(`INSERT INTO oauth2_provider_application (client_id, redirect_uris, client_type, authorization_grant_type, client_secret, name, skip_authorization, algorithm, post_logout_redirect_uris, hash_client_secret) VALUES
      ('dot-web-4711', 'https://shop.example/oauth/callback https://www.shop.example/oauth/callback', 'confidential', 'authorization-code',
       'pbkdf2_sha256$720000$Qx1yZ$4nT0tJ2bYV9wq0x3mHc0lO8qg0X6bUj5cGfS0w2yQkE=', 'Shop web', false, 'RS256', 'https://shop.example/', true),
      ('dot-spa-0815', 'https://app.shop.example/cb', 'public', 'authorization-code', '', 'Shop SPA', true, '', '', true),
      ('dot-batch-42', '', 'confidential', 'client-credentials', 'a-plain-legacy-secret-from-dot-1.x', 'Nightly export', true, '', '', false)`);
    const config = (await f.writeConfig({ extra: { tenant: {
      company: { name: 'ACME Shop GmbH', address: 'Hauptstr. 1, 60311 Frankfurt', website: 'https://shop.example' },
      from: { apps: { kind: 'django-oauth-toolkit' } },
    } } })).path;
    const plan = await runCli(['setup', 'plan', '--config', config]);
    expect(plan.code, described(plan)).to.equal(5);
    expect(plan.stdout).to.contain('+ app dot-batch-42: create').and.contain('+ app dot-spa-0815: create').and.contain('+ app dot-web-4711: create');
    expect(plan.stdout).to.contain('note: app dot-web-4711: its secret is stored hashed in the legacy database and cannot be migrated');
    const apply = await runCli(['setup', 'apply', '--config', config]);
    expect(apply.code, described(apply)).to.equal(0);
    const apps = f.emulator.setup.apps;
    expect(apps.get('dot-web-4711')).to.include({ client_type: 'REGULAR_WEB', client_name: 'Shop web' });
    expect(apps.get('dot-web-4711')!['redirect_uris']).to.deep.equal(['https://shop.example/oauth/callback', 'https://www.shop.example/oauth/callback']);
    expect(apps.get('dot-web-4711')!['client_secret']).not.to.contain('pbkdf2_sha256');
    expect(apps.get('dot-spa-0815')).to.include({ client_type: 'SINGLE_PAGE' });
    expect(apps.get('dot-batch-42')).to.include({ client_type: 'NON_INTERACTIVE', client_secret: 'a-plain-legacy-secret-from-dot-1.x' });
    expect(apps.get('dot-batch-42')!['grant_types']).to.deep.equal(['client_credentials']);
    expect(plan.stdout + apply.stdout + apply.stderr).not.to.contain('a-plain-legacy-secret-from-dot-1.x');
    expect((await runCli(['setup', 'plan', '--config', config])).code).to.equal(0);
  });
});
