import { expect } from 'chai';
import { tenantSchema } from '../../../config/tenant-schema.js';
import { keycloakApp, type KeycloakClient } from '../../../src/tenant/keycloak-apps.js';
import { customProviderName, keycloakProvider } from '../../../src/tenant/keycloak-providers.js';
import { nextendProviders } from '../../../src/tenant/nextend-providers.js';
import { wslProviders } from '../../../src/tenant/wsl-providers.js';
import { declared } from '../../../src/tenant/tenant-setup.js';
import { Secret } from '../../../src/secret.js';
import { NSL_FACEBOOK_SECRET, NSL_GOOGLE_SECRET, NSL_OPTIONS, NSL_TWITTER_SECRET, WSL_FACEBOOK_SECRET, WSL_GOOGLE_SECRET, WSL_OPTIONS, WSL_TWITTER_SECRET } from '../../integration/tenant/nextend-options.js';

const SCOPES = ['openid', 'profile', 'email'];

/** A `client` row with the defaults Keycloak's changelogs give its columns (booleans false, standard flow on). */
function client(over: Record<string, unknown>, redirectUris: string[] = [], postLogout?: string): KeycloakClient {
  return {
    client: {
      id: 'c0ffee00-0000-4000-8000-000000000001', enabled: true, full_scope_allowed: true, client_id: 'x', public_client: false, secret: null,
      bearer_only: false, realm_id: 'r1', protocol: 'openid-connect', name: null, service_accounts_enabled: false, client_authenticator_type: 'client-secret',
      root_url: null, standard_flow_enabled: true, implicit_flow_enabled: false, direct_access_grants_enabled: false, ...over,
    },
    redirectUris, ...(postLogout === undefined ? {} : { postLogoutRedirectUris: postLogout }),
  };
}

describe('tenant from Keycloak\'s client table (#16)', () => {
  it('skips Keycloak\'s built-in clients, bearer-only, SAML and disabled ones, each with a note', () => {
    for (const id of ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']) {
      const r = keycloakApp(client({ client_id: id, name: `\${client_${id}}` }), SCOPES);
      expect(r.app, id).to.equal(undefined);
      expect(r.notes[0]).to.contain('built-in');
    }
    expect(keycloakApp(client({ client_id: 'shop-realm', bearer_only: true, name: 'shop Realm' }), SCOPES).notes[0]).to.contain('built-in');
    expect(keycloakApp(client({ client_id: 'api', bearer_only: true }), SCOPES).notes[0]).to.contain('bearer-only');
    expect(keycloakApp(client({ client_id: 'sp', protocol: 'saml' }), SCOPES).notes[0]).to.contain('a saml client');
    expect(keycloakApp(client({ client_id: 'old', enabled: false }), SCOPES).notes[0]).to.contain('disabled');
  });

  it('maps a confidential web client: type, grants, exact redirect URIs, "+" post-logout URIs, the secret as a Secret', () => {
    const r = keycloakApp(client({ client_id: 'shop-web', name: 'Shop web', secret: 'kc-secret', direct_access_grants_enabled: true, root_url: 'https://shop.example' },
      ['/oidc/callback', 'https://www.shop.example/cb', 'https://shop.example/*'], '+##https://shop.example/bye'), SCOPES);
    expect(r.app).to.deep.include({ clientId: 'shop-web', name: 'Shop web', type: 'REGULAR_WEB', grantTypes: ['authorization_code', 'password', 'refresh_token'] });
    expect(r.app!.redirectUris).to.deep.equal(['https://shop.example/oidc/callback', 'https://www.shop.example/cb']);
    expect(r.app!.logoutUris).to.deep.equal(['https://shop.example/oidc/callback', 'https://www.shop.example/cb', 'https://shop.example/bye']);
    expect(r.app!.clientSecret).to.be.instanceOf(Secret);
    expect(r.app!.clientSecret!.reveal()).to.equal('kc-secret');
    expect(r.notes.join('\n')).to.contain('wildcard').and.not.contain('kc-secret');
  });

  it('maps a public SPA and a service-account client, and leaves out what it cannot migrate', () => {
    const spa = keycloakApp(client({ client_id: 'spa', public_client: true, secret: 'ignored', implicit_flow_enabled: true }, ['https://app.example/cb']), SCOPES);
    expect(spa.app).to.deep.include({ type: 'SINGLE_PAGE', grantTypes: ['authorization_code', 'implicit', 'refresh_token'] });
    expect(spa.app!.clientSecret).to.equal(undefined);
    const batch = keycloakApp(client({ client_id: 'batch', standard_flow_enabled: false, service_accounts_enabled: true, secret: 's' }), SCOPES);
    expect(batch.app).to.deep.include({ type: 'NON_INTERACTIVE', grantTypes: ['client_credentials'] });
    const jwt = keycloakApp(client({ client_id: 'jwt', client_authenticator_type: 'client-jwt', secret: 'unused' }), SCOPES);
    expect(jwt.app!.clientSecret).to.equal(undefined);
    expect(jwt.notes[0]).to.contain('client-jwt');
    const vault = keycloakApp(client({ client_id: 'v', secret: '${vault.v_secret}' }), SCOPES);
    expect(vault.app!.clientSecret).to.equal(undefined);
    expect(vault.notes[0]).to.contain('vault reference');
    expect(keycloakApp(client({ client_id: 'none', standard_flow_enabled: false }), SCOPES).notes[0]).to.contain('no flow');
  });
});

const idp = (kind: string, alias: string, config: Record<string, string>, over: Record<string, unknown> = {}) => keycloakProvider({
  provider: { internal_id: `id-${alias}`, provider_alias: alias, provider_id: kind, enabled: true, realm_id: 'r1', provider_display_name: null, link_only: false, ...over },
  config: new Map(Object.entries(config)),
});

describe('tenant from Keycloak\'s identity_provider table (#16)', () => {
  it('maps google to a social provider with the legacy client and its secret as a Secret', () => {
    const r = idp('google', 'google', { clientId: 'g.apps.googleusercontent.com', clientSecret: 'g-secret', defaultScope: 'openid profile email' });
    expect('social' in r && r.social).to.deep.include({ provider: 'google', clientId: 'g.apps.googleusercontent.com', scopes: ['openid', 'profile', 'email'], enabled: true });
    expect('social' in r && r.social.name).to.equal(undefined);
    expect('social' in r && r.social.clientSecret.reveal()).to.equal('g-secret');
    expect('linkOnly' in r && r.linkOnly).to.equal(false);
    const linked = idp('microsoft', 'microsoft', { clientId: 'm', clientSecret: 's' }, { link_only: true });
    expect('social' in linked && linked.social.provider).to.equal('microsoft');
    expect('linkOnly' in linked && linked.linkOnly).to.equal(true);
    const li = idp('linkedin-openid-connect', 'linkedin-staff', { clientId: 'l', clientSecret: 's' });
    expect('social' in li && li.social).to.deep.include({ provider: 'linkedin', name: 'linkedin-staff' });
  });

  it('maps oidc / keycloak-oidc / oauth2 to custom providers with their endpoints', () => {
    const r = idp('oidc', 'Partner IdP', { clientId: 'c', clientSecret: 'p-secret', authorizationUrl: 'https://idp.example/auth', tokenUrl: 'https://idp.example/token', userInfoUrl: 'https://idp.example/userinfo' }, { provider_display_name: 'Partner login' });
    expect('custom' in r && r.custom).to.deep.include({ name: 'partner-idp', displayName: 'Partner login', type: 'OPENID_CONNECT', userinfoEndpoint: 'https://idp.example/userinfo', scopes: ['openid', 'email', 'profile'] });
    expect(r.notes[0]).to.contain('named partner-idp');
    const o = idp('oauth2', 'gh-enterprise', { clientId: 'c', clientSecret: 's', authorizationUrl: 'https://gh.example/a', tokenUrl: 'https://gh.example/t', defaultScope: 'read:user' });
    expect('custom' in o && o.custom).to.deep.include({ type: 'OAUTH2', scopes: ['read:user'] });
    expect(customProviderName('-Ab C_d-')).to.equal('ab-c_d');
  });

  it('never guesses: a vault secret, a missing secret, a disabled or unknown provider are left out with a note', () => {
    const vault = idp('google', 'google', { clientId: 'g', clientSecret: '${vault.google_secret}' });
    expect('social' in vault).to.equal(false);
    expect(vault.notes[0]).to.contain('vault reference').and.contain('tenant.socialProviders');
    expect(idp('oidc', 'p', { clientId: 'c', clientAuthMethod: 'private_key_jwt', authorizationUrl: 'https://a.example', tokenUrl: 'https://a.example/t' }).notes[0]).to.contain('no client secret');
    expect(idp('google', 'google', { clientId: 'g', clientSecret: 's' }, { enabled: false }).notes[0]).to.contain('disabled');
    expect(idp('saml', 'corp', {}).notes[0]).to.contain('no cidaas social or OAuth2/OIDC counterpart');
    expect(idp('oidc', 'p', { clientId: 'c', clientSecret: 's', tokenUrl: 'https://a.example/t' }).notes[0]).to.contain('authorizationUrl');
  });
});

describe('tenant from Nextend Social Login\'s options (#16)', () => {
  it('reads the providers switched on and verified, with their client ids and secrets as Secrets', () => {
    const r = nextendProviders(NSL_OPTIONS);
    expect(r.providers.map((p) => [p.provider, p.clientId, p.clientSecret.reveal()])).to.deep.equal([
      ['facebook', '1234567890123456', NSL_FACEBOOK_SECRET],
      ['google', '448812344321-q1w2e3r4t5y6u7i8o9p0.apps.googleusercontent.com', NSL_GOOGLE_SECRET],
    ]);
    expect(r.notes).to.deep.equal(['provider twitter (Nextend Social Login): its settings layout is not known to cidaas-sync; declare it under tenant.socialProviders']);
    expect(r.notes.join()).not.to.contain(NSL_TWITTER_SECRET);
  });

  it('leaves out a provider not switched on or never verified, and a malformed option, with notes', () => {
    const off = new Map(NSL_OPTIONS);
    off.set('nextend_social_login', 'a:1:{s:7:"enabled";a:1:{i:0;s:6:"google";}}');
    off.set('nsl_google', 'a:2:{s:6:"tested";s:1:"0";s:9:"client_id";s:1:"g";}');
    const r = nextendProviders(off);
    expect(r.providers).to.deep.equal([]);
    expect(r.notes).to.include('provider facebook (Nextend Social Login): configured but not switched on; not migrated');
    expect(r.notes).to.include('provider google (Nextend Social Login): switched on but never verified, which the plugin treats as off; not migrated');
    const bad = nextendProviders(new Map([['nextend_social_login', 'a:1:{s:7:"enabled";a:1:{i:0;s:6:"google";}}'], ['nsl_google', 'a:1:{s:9:"client_id";s:99:"short";}']]));
    expect(bad.notes[0]).to.match(/^option nsl_google: not a PHP serialize\(\) value/);
  });
});

describe('tenant from WordPress Social Login\'s options (#16)', () => {
  it('reads the enabled providers it knows, with their client ids, secrets and scopes; notes the others', () => {
    const r = wslProviders(WSL_OPTIONS);
    expect(r.providers.map((p) => [p.provider, p.clientId, p.clientSecret.reveal(), p.scopes])).to.deep.equal([
      ['facebook', '2345678901234567', WSL_FACEBOOK_SECRET, []],
      ['google', '998877665544-wsl.apps.googleusercontent.com', WSL_GOOGLE_SECRET, ['profile', 'https://www.googleapis.com/auth/plus.profile.emails.read']],
    ]);
    expect(r.notes).to.deep.equal([
      'provider GitHub (WordPress Social Login): configured but not enabled; not migrated',
      'provider Twitter (WordPress Social Login): no cidaas social login with the same OAuth client is known; declare it under tenant.socialProviders if cidaas offers it',
    ]);
    expect(r.notes.join()).not.to.contain(WSL_TWITTER_SECRET);
    const linkedin = wslProviders(new Map([['wsl_settings_LinkedIn2_enabled', '1'], ['wsl_settings_LinkedIn2_app_key', '86abcdef'], ['wsl_settings_LinkedIn2_app_secret', 's']]));
    expect(linkedin.providers.map((p) => [p.provider, p.clientId])).to.deep.equal([['linkedin', '86abcdef']]);
    expect(wslProviders(new Map([['wsl_settings_Google_enabled', '1'], ['wsl_settings_Google_app_id', 'g']])).notes[0]).to.contain('app_id or app_secret is empty');
  });
});

describe('tenant: declared entries win over ones read from the legacy database (#16)', () => {
  it('keeps the declared app and provider, drops the read one with the same key, and says so', () => {
    const t = tenantSchema.parse({
      company: { name: 'A', address: 'B', website: 'https://a.example' },
      apps: [{ clientId: 'shop-web', name: 'Declared', type: 'REGULAR_WEB' }],
      socialProviders: [{ provider: 'google', clientId: 'declared', clientSecret: 'x' }],
    });
    const notes: string[] = [];
    const read = {
      apps: [{ ...t.apps[0]!, name: 'Read' }, { ...t.apps[0]!, clientId: 'other', name: 'Other' }],
      socialProviders: [{ provider: 'google', clientId: 'read', clientSecret: new Secret('y'), scopes: [], enabled: true }],
    };
    const r = declared(t, read, notes);
    expect(r.filter((d) => d.kind === 'app').map((d) => [d.key, d.body(3)['client_name']])).to.deep.equal([['shop-web', 'Declared'], ['other', 'Other']]);
    expect(r.filter((d) => d.kind === 'socialProvider').map((d) => d.body(3)['client_id'])).to.deep.equal(['declared']);
    expect(notes).to.deep.equal([
      'app shop-web: declared under tenant.apps, which wins over the one read from the legacy database',
      'socialProvider google: declared under tenant.socialProviders, which wins over the one read from the legacy database',
    ]);
  });
});
