import { expect } from 'chai';
import { watchedTables } from '../../../src/app/pipeline-tables.js';
import type { LegacyRows } from '../../../src/legacy-reader.js';
import { decodePhpGroupMap } from '../../../src/map-user-groups.js';
import { UserMapper } from '../../../src/user-mapper.js';
import { issueAt, parse, rejection } from '../config/config-test-helpers.js';

const CIDAAS = { baseUrl: 'https://acme.cidaas.eu', clientId: 'client-1', clientSecret: 'client-secret-1' };
const PG = { kind: 'postgres', url: 'postgres://sync:pw@localhost:5432/app' };
const MYSQL = { kind: 'mysql', url: 'mysql://sync:pw@localhost:3306/site' };

describe('users.groups decode: php-serialized-map (WordPress roles)', () => {
  it('reads the names set to true, as WP_User::set_role / add_role / add_cap write them', () => {
    expect(decodePhpGroupMap('a:1:{s:13:"administrator";b:1;}')).to.deep.equal({ ok: true, groups: ['administrator'] });
    expect(decodePhpGroupMap('a:2:{s:6:"editor";b:1;s:12:"shop_manager";b:1;}')).to.deep.equal({ ok: true, groups: ['editor', 'shop_manager'] });
    // add_cap($cap, false): a denied capability is no group.
    expect(decodePhpGroupMap('a:2:{s:6:"author";b:1;s:13:"publish_posts";b:0;}')).to.deep.equal({ ok: true, groups: ['author'] });
    // set_role(''): no role left.
    expect(decodePhpGroupMap('a:0:{}')).to.deep.equal({ ok: true, groups: [] });
    expect(decodePhpGroupMap(null)).to.deep.equal({ ok: true, groups: [] });
    expect(decodePhpGroupMap('')).to.deep.equal({ ok: true, groups: [] });
  });

  it('refuses a value of another shape with the reason, guessing nothing', () => {
    for (const [raw, why] of [
      ['a:1:{i:0;s:13:"administrator";}', '"0" maps to "administrator"'], // a list, not a map of booleans
      ['a:1:{s:13:"administrator";i:1;}', '"administrator" maps to 1'],
      ['administrator', 'not a PHP serialize() value'],
      ['s:13:"administrator";', 'it holds a string'],
      ['a:1:{s:13:"administrator";b:1;', 'not a PHP serialize() value'], // cut short
      ['O:8:"stdClass":0:{}', 'objects and references are refused'],
    ] as const) {
      const r = decodePhpGroupMap(raw);
      expect(r.ok, raw).to.equal(false);
      if (!r.ok) expect(r.reason, raw).to.contain('users.groups.decode: php-serialized-map').and.contain(why);
    }
  });

  it('fails the user whose value decode refuses; maps the others through map and prefix', async () => {
    const c = await parse({
      source: MYSQL, cidaas: CIDAAS, preset: { name: 'wordpress', roles: true },
      users: { groups: { map: { administrator: 'wp-admins' }, prefix: 'wp-' } },
    });
    const mapper = new UserMapper(c);
    const rows = (caps: string): LegacyRows => ({
      key: '7', user: { ID: 7, user_email: 'ann@example.com', user_login: 'ann', display_name: 'Ann', user_pass: '' }, password: [], mfa: [], attributes: [],
      groups: [{ umeta_id: 3, user_id: 7, meta_key: 'wp_capabilities', meta_value: caps }],
    });
    const ok = await mapper.map(rows('a:2:{s:13:"administrator";b:1;s:6:"editor";b:1;}'));
    if (ok.kind !== 'upsert') expect.fail(ok.kind);
    expect(ok.user.groups).to.deep.equal([{ groupId: 'wp-admins' }, { groupId: 'wp-editor' }]);
    const bad = await mapper.map(rows('a:1:{s:13:"administrator";s:1:"1";}'));
    expect(bad).to.include({ kind: 'invalid' });
    expect((bad as { reason: string }).reason).to.contain('"administrator" maps to "1"');
  });

  it('refuses decode together with lookup', async () => {
    const err = await rejection({
      source: PG, cidaas: CIDAAS, users: { table: 'users', key: 'id', groups: { table: 'm', userKey: 'u', group: 'g', decode: 'php-serialized-map', lookup: { table: 'l', key: 'id', name: 'n' } } },
    });
    expect(issueAt(err, 'users.groups.lookup')).to.contain('`decode` and `lookup` do not go together');
  });
});

describe('the wordpress preset\'s roles switch', () => {
  it('is off by default: roles are authorization', async () => {
    const c = await parse({ source: MYSQL, cidaas: CIDAAS, preset: 'wordpress' });
    expect(c.users.groups).to.equal(undefined);
  });

  it('roles: true reads <prefix>capabilities from usermeta and watches it', async () => {
    const c = await parse({ source: MYSQL, cidaas: CIDAAS, preset: { name: 'wordpress', tablePrefix: 'shop_', roles: true } });
    expect(c.users.groups).to.deep.include({ userKey: 'user_id', group: 'meta_value', decode: 'php-serialized-map', unmapped: 'fail' });
    expect(c.users.groups?.table).to.deep.equal({ schema: 'site', name: 'shop_usermeta' });
    const watched = watchedTables(c).find((t) => t.role === 'groups');
    expect(watched?.table).to.equal('site.shop_usermeta');
    expect(watched?.filter).to.not.equal(undefined);
  });

  it('roles is not a parameter of other presets', async () => {
    const err = await rejection({ source: PG, cidaas: CIDAAS, preset: { name: 'django', roles: true } });
    expect(issueAt(err, 'preset.roles')).to.contain('is not a parameter of the django preset');
  });
});

describe('the keycloak preset on each source kind', () => {
  it('names Keycloak\'s tables and columns in upper case on MySQL/MariaDB, as Liquibase creates them there', async () => {
    const c = await parse({ source: MYSQL, cidaas: CIDAAS, preset: { name: 'keycloak', realmId: 'r1' } });
    expect(c.users.table).to.deep.equal({ schema: 'site', name: 'USER_ENTITY' });
    expect(c.users.key).to.equal('ID');
    expect(c.users.filter).to.deep.equal({ REALM_ID: 'r1' });
    expect(c.users.fields).to.deep.include({ email: 'EMAIL', email_verified: 'EMAIL_VERIFIED' });
    expect(c.users.softDelete?.column).to.equal('ENABLED');
    expect(c.password).to.deep.include({ hash: 'SECRET_DATA', userKey: 'USER_ID', filter: { TYPE: 'password' } });
    expect(c.password?.table?.name).to.equal('CREDENTIAL');
    expect(c.users.groups?.table.name).to.equal('USER_GROUP_MEMBERSHIP');
    expect(c.users.groups?.lookup).to.deep.include({ key: 'ID', name: 'NAME' });
    expect(c.users.groups?.lookup?.table.name).to.equal('KEYCLOAK_GROUP');
    expect(c.users.identities).to.deep.include({ userKey: 'USER_ID', provider: 'IDENTITY_PROVIDER', providerUserId: 'FEDERATED_USER_ID' });
  });

  it('keeps them lower case on PostgreSQL', async () => {
    const c = await parse({ source: PG, cidaas: CIDAAS, preset: { name: 'keycloak', realmId: 'r1' } });
    expect(c.users.table).to.deep.equal({ schema: 'public', name: 'user_entity' });
    expect(c.users.filter).to.deep.equal({ realm_id: 'r1' });
    expect(c.users.groups?.lookup?.table.name).to.equal('keycloak_group');
  });
});
