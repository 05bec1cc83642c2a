import { expect } from 'chai';
import { DEFAULT_SCOPES, SETUP_SCOPES } from '../../../tools/emulator/cidaas-emulator.js';
import { useEmulator } from './emulator-fixture.js';

const field = (key: string, over: Record<string, unknown> = {}) => ({ fieldKey: key, dataType: 'TEXT', fieldType: 'CUSTOM', enabled: true, localeTexts: [{ locale: 'en', name: key }], ...over });

describe('cidaas emulator: the setup APIs, strictly (#16)', () => {
  const t = useEmulator({ scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation: 3, strictFields: true } });

  it('answers 204 for an empty list, 417 for a missing required field, 201 then 200 for a field upsert', async () => {
    const token = t.emu.issueToken();
    expect((await t.call('POST', '/fieldsetup-srv/graph/fields', { body: { from: 0, size: 10 }, token })).status).to.equal(204);
    const bad = await t.call('POST', '/fieldsetup-srv/fields', { body: { fieldKey: 'x' }, token });
    expect(bad.status).to.equal(417);
    expect(JSON.stringify(bad.body)).to.contain('dataType');
    expect((await t.call('POST', '/fieldsetup-srv/fields', { body: field('customer_no'), token })).status).to.equal(201);
    expect((await t.call('POST', '/fieldsetup-srv/fields', { body: field('customer_no'), token })).status).to.equal(200);
    expect(bad.headers.get('x-ref-number')).to.match(/^\d+-/);
  });

  it('refuses a write without the scope, an app with an unknown scope (APP10061) and a duplicate provider name (P10001)', async () => {
    const readOnly = t.emu.issueToken(['cidaas:field_setup_read']);
    expect((await t.call('POST', '/fieldsetup-srv/fields', { body: field('a'), token: readOnly })).status).to.equal(403);
    const token = t.emu.issueToken();
    const app = { client_name: 'Web', client_type: 'REGULAR_WEB', company_name: 'A', company_address: 'B', company_website: 'https://c.example', allowed_scopes: ['openid', 'nope:scope'] };
    const r = await t.call('POST', '/apps-srv/clients', { body: app, token });
    expect(r.status).to.equal(400);
    expect((r.body['error'] as Record<string, unknown>)['code']).to.equal('APP10061');
    const google = { provider_name: 'google', name: 'google', client_id: 'c', client_secret: 's' };
    expect((await t.call('POST', '/providers-srv/multi/providers', { body: google, token })).status).to.equal(201);
    const dup = await t.call('POST', '/providers-srv/multi/providers', { body: google, token });
    expect(dup.status).to.equal(409);
    expect((dup.body['error'] as Record<string, unknown>)['code']).to.equal('P10001');
  });

  it('with strict fields, drops a customFields key the field setup lacks (as cidaas does); deleting a field wipes its values', async () => {
    const token = t.emu.issueToken();
    await t.call('POST', '/fieldsetup-srv/fields', { body: field('customer_no'), token });
    const [state] = await t.bulk([{ sub: 'u1', email: 'u1@example.org', customFields: { customer_no: 'C-1', shoe_size: 42 } }]);
    expect(state!.status).to.equal('CREATED');
    expect(t.emu.getUser('u1')!.customFields).to.deep.equal({ customer_no: 'C-1' });
    expect((await t.call('DELETE', '/fieldsetup-srv/fields/customer_no', { token })).status).to.equal(200);
    expect(t.emu.getUser('u1')!.customFields).to.deep.equal({});
    expect(t.emu.setup.writes).to.deep.equal(['POST /fieldsetup-srv/fields', 'DELETE /fieldsetup-srv/fields/customer_no']);
  });

  it('answers GET /public-srv/version as 3.x', async () => {
    const r = await t.call('GET', '/public-srv/version');
    expect(r.status).to.equal(200);
    expect((r.body['data'] as Record<string, unknown>)['version']).to.match(/^3\./);
  });
});

describe('cidaas emulator: 4.x setup APIs (#16)', () => {
  const t = useEmulator({ scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], setup: { generation: 4, appsPath4: '/app-srv/apps' } });

  it('answers 404 on /public-srv/version, serves apps under the configured path only, keeps a given client_id, refuses a duplicate, never returns a secret', async () => {
    expect((await t.call('GET', '/public-srv/version')).status).to.equal(404);
    const token = t.emu.issueToken();
    const app = { client_id: 'legacy-web', client_name: 'Web', client_type: 'REGULAR_WEB', scopes: { allowed_scopes: ['openid'] }, client_secret: 'ignored-on-4x' };
    expect((await t.call('POST', '/apps-srv/apps', { body: app, token })).status).to.equal(404);
    expect((await t.call('POST', '/app-srv/apps', { body: app, token })).status).to.equal(201);
    expect((await t.call('POST', '/app-srv/apps', { body: app, token })).status).to.equal(409);
    const secret = await t.call('POST', '/app-srv/apps/legacy-web/secrets', { body: {}, token });
    expect(secret.status).to.equal(201);
    const got = await t.call('GET', '/app-srv/apps/legacy-web', { token });
    expect(got.status).to.equal(200);
    expect(JSON.stringify(got.body)).not.to.contain('ignored-on-4x').and.not.contain(String((secret.body['data'] as Record<string, unknown>)['client_secret']));
  });
});
