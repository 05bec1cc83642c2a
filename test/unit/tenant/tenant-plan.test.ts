import { expect } from 'chai';
import { tenantSchema } from '../../../config/tenant-schema.js';
import { formatPlan, planResource } from '../../../src/tenant/tenant-plan.js';
import { desiredResources } from '../../../src/tenant/tenant-resources.js';
import { djangoOAuthApp } from '../../../src/tenant/legacy-apps.js';

const company = { name: 'ACME', address: 'Street 1', website: 'https://acme.example' };

function resources(raw: Record<string, unknown>) {
  const t = tenantSchema.parse(raw);
  return desiredResources(t, company);
}

describe('setup plan (#16)', () => {
  it('orders groups parents first whatever the declaration order, and refuses a parent loop', () => {
    const r = resources({ groupTypes: [{ groupType: 't' }], groups: [{ groupId: 'c', name: 'C', groupType: 't', parentId: 'b' }, { groupId: 'b', name: 'B', groupType: 't', parentId: 'a' }, { groupId: 'a', name: 'A', groupType: 't' }] });
    expect(r.filter((x) => x.kind === 'group').map((x) => x.key)).to.deep.equal(['a', 'b', 'c']);
    expect(() => resources({ groups: [{ groupId: 'x', name: 'X', groupType: 't', parentId: 'y' }, { groupId: 'y', name: 'Y', groupType: 't', parentId: 'x' }] })).to.throw(/parentId loop/);
  });

  it('compares only what is declared, ignoring what the tenant adds, and arrays as sets', () => {
    const [role] = resources({ roles: [{ role: 'admin', name: 'Admin' }] });
    expect(planResource(role!, null, 3).action).to.equal('create');
    expect(planResource(role!, { role: 'admin', name: 'Admin', description: '', _id: 'x', createdTime: 'now' }, 3).action).to.equal('unchanged');
    const [field] = resources({ fields: [{ key: 'k', labels: { en: 'K', de: 'K-de' } }] });
    const held = { ...field!.body(3), localeTexts: [...(field!.body(3)['localeTexts'] as unknown[])].reverse() };
    expect(planResource(field!, held, 3).action).to.equal('unchanged');
    const changed = planResource(field!, { ...held, enabled: false }, 3);
    expect(changed.action).to.equal('update');
    expect(changed.changes).to.deep.equal([{ path: 'enabled', from: 'false', to: 'true', secret: false }]);
  });

  it('reports a differing secret as "changed" without either value, and notes one it cannot read', () => {
    const [p] = resources({ socialProviders: [{ provider: 'google', clientId: 'id', clientSecret: 'new-secret-value' }] });
    const body = p!.body(3);
    const entry = planResource(p!, { ...body, id: 'p1', client_secret: 'old-secret-value' }, 3);
    expect(entry.changes).to.deep.equal([{ path: 'client_secret', secret: true }]);
    const text = formatPlan([entry]);
    expect(text).to.contain('client_secret: changed').and.not.contain('secret-value');
    const blind = planResource(p!, { ...body, id: 'p1' }, 3);
    expect(blind.action).to.equal('unchanged');
    expect(blind.notes[0]).to.match(/does not return it/);
  });

  it('says a 4.x confidential app gets a new secret, and puts apps in each generation\'s shape', () => {
    const [app] = resources({ apps: [{ clientId: 'web', name: 'Web', type: 'REGULAR_WEB', clientSecret: 's'.repeat(20), scopes: ['openid'] }] });
    expect(planResource(app!, null, 4).notes[0]).to.match(/cannot import a client secret/);
    expect(app!.secrets(4)).to.deep.equal({});
    expect(Object.keys(app!.secrets(3))).to.deep.equal(['client_secret']);
    expect(app!.body(3)).to.include({ client_id: 'web', company_name: 'ACME' }).and.have.nested.property('basic_settings.client_id', 'web');
    expect(app!.body(4)).to.have.nested.property('scopes.allowed_scopes').that.deep.equals(['openid']);
    expect(app!.body(4)).to.have.nested.property('owner_ship_details.company_website', 'https://acme.example');
  });
});

describe('Django OAuth Toolkit applications as apps (#16)', () => {
  it('maps client types and grants, splits redirect URIs, and never imports a hashed secret', () => {
    const web = djangoOAuthApp({ client_id: 'w', name: '', client_type: 'confidential', authorization_grant_type: 'authorization-code',
      client_secret: 'pbkdf2_sha256$720000$salt$hash=', redirect_uris: 'https://a.example/cb  https://b.example/cb', post_logout_redirect_uris: '' }, ['openid']);
    expect(web.app).to.include({ clientId: 'w', name: 'w', type: 'REGULAR_WEB' });
    expect(web.app.clientSecret).to.equal(undefined);
    expect(web.app.redirectUris).to.deep.equal(['https://a.example/cb', 'https://b.example/cb']);
    expect(web.note).to.match(/stored hashed/);
    const m2m = djangoOAuthApp({ client_id: 'm', name: 'M', client_type: 'confidential', authorization_grant_type: 'client-credentials', client_secret: 'plain', redirect_uris: '' }, ['openid']);
    expect(m2m.app.type).to.equal('NON_INTERACTIVE');
    expect(m2m.app.grantTypes).to.deep.equal(['client_credentials']);
    expect(m2m.app.clientSecret?.reveal()).to.equal('plain');
    const spa = djangoOAuthApp({ client_id: 's', name: 'S', client_type: 'public', authorization_grant_type: 'authorization-code', client_secret: 'x', redirect_uris: 'https://s.example/cb' }, ['openid']);
    expect(spa.app.type).to.equal('SINGLE_PAGE');
    expect(spa.app.clientSecret).to.equal(undefined);
  });
});
