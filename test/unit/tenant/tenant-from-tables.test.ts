import { expect } from 'chai';
import type { TenantConfig } from '../../../config/tenant-schema.js';
import { tenantFromTables } from '../../../src/tenant/legacy-tenant.js';

const from = (f: unknown): TenantConfig['from'] => f as TenantConfig['from'];

describe('tenantFromTables: what check asks SELECT on for tenant.from', () => {
  it('Keycloak: the realm, client and broker tables, upper case on MySQL, in the schema given, each once', () => {
    const kc = from({ apps: { kind: 'keycloak', realmId: 'r', scopes: [] }, providers: { kind: 'keycloak', realmId: 'r', schema: 'kc' } });
    expect(tenantFromTables(kc, 'postgres')).to.deep.equal([
      { configKey: 'tenant.from.apps', table: 'realm' }, { configKey: 'tenant.from.apps', table: 'client' },
      { configKey: 'tenant.from.apps', table: 'redirect_uris' }, { configKey: 'tenant.from.apps', table: 'client_attributes' },
      { configKey: 'tenant.from.providers', table: 'kc.realm' }, { configKey: 'tenant.from.providers', table: 'kc.identity_provider' },
      { configKey: 'tenant.from.providers', table: 'kc.identity_provider_config' },
    ]);
    expect(tenantFromTables(from({ apps: { kind: 'keycloak', realmId: 'r', scopes: [] }, providers: { kind: 'keycloak', realmId: 'r' } }), 'mysql').map((t) => t.table))
      .to.deep.equal(['REALM', 'CLIENT', 'REDIRECT_URIS', 'CLIENT_ATTRIBUTES', 'IDENTITY_PROVIDER', 'IDENTITY_PROVIDER_CONFIG']);
  });

  it('WordPress plugins: <prefix>options; Django OAuth Toolkit: its table; nothing without from', () => {
    expect(tenantFromTables(from({ providers: { kind: 'nextend-social-login', tablePrefix: 'wp7_' } }), 'mysql')).to.deep.equal([{ configKey: 'tenant.from.providers', table: 'wp7_options' }]);
    expect(tenantFromTables(from({ providers: { kind: 'wordpress-social-login', tablePrefix: 'wp_', schema: 'site' } }), 'mysql')).to.deep.equal([{ configKey: 'tenant.from.providers', table: 'site.wp_options' }]);
    expect(tenantFromTables(from({ apps: { kind: 'django-oauth-toolkit', table: 'oauth2_provider_application', filter: {}, scopes: [] } }), 'postgres'))
      .to.deep.equal([{ configKey: 'tenant.from.apps', table: 'oauth2_provider_application' }]);
    expect(tenantFromTables(from({}), 'postgres')).to.deep.equal([]);
  });
});
