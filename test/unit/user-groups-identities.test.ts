import { expect } from 'chai';
import { membershipDifference } from '../../src/cidaas/user-groups.js';
import { FingerprintKey } from '../../src/digest/fingerprint-key.js';
import { fingerprintUser } from '../../src/digest/fingerprints.js';
import { GROUP_NAME_COLUMN, type LegacyRows } from '../../src/legacy-reader.js';
import { UserMapper } from '../../src/user-mapper.js';
import { compareUser } from '../../src/verify/compare-user.js';
import { issueAt, minimalConfig, parse, rejection } from './config/config-test-helpers.js';

/** Django's auth_user_groups rows (id, user_id, group_id) with auth_group.name looked up. */
function rows(groups: { group_id: number; name: string | null }[], key = '1'): LegacyRows {
  return {
    key, user: { id: key, email: `u${key}@example.com` }, password: [], mfa: [], attributes: [],
    groups: groups.map((g, i) => ({ id: i + 1, user_id: Number(key), group_id: g.group_id, [GROUP_NAME_COLUMN]: g.name })),
  };
}

async function mapperWith(groups: Record<string, unknown>, compat: Record<string, unknown> = {}): Promise<UserMapper> {
  const c = minimalConfig();
  c['users'] = { ...c['users'], groups: { table: 'auth_user_groups', userKey: 'user_id', group: 'group_id', lookup: { table: 'auth_group', key: 'id', name: 'name' }, ...groups } };
  c['cidaas'] = { ...c['cidaas'], compat };
  return new UserMapper(await parse(c), undefined);
}

describe('users.groups and users.identities: memberships and linked logins in the entity (#16)', () => {
  it('maps legacy group names through map and prefix, sorted, with the roles per groupId', async () => {
    const m = await (await mapperWith({ map: { Editors: 'editors' }, prefix: 'django-', roles: { editors: ['EDITOR'] } }))
      .map(rows([{ group_id: 2, name: 'Staff' }, { group_id: 1, name: 'Editors' }]));
    expect(m.kind).to.equal('upsert');
    if (m.kind === 'upsert') expect(m.user.groups).to.deep.equal([{ groupId: 'django-Staff' }, { groupId: 'editors', roles: ['EDITOR'] }]);
  });

  it('sends an empty list for a user without memberships, so the last one removed disappears in cidaas', async () => {
    const m = await (await mapperWith({ prefix: '' })).map(rows([]));
    if (m.kind !== 'upsert') expect.fail(m.kind);
    expect(m.user.groups).to.deep.equal([]);
  });

  it('fails a user whose legacy group has no groupId (unmapped: fail), or leaves the membership out (skip)', async () => {
    const failed = await (await mapperWith({ map: { Editors: 'editors' } })).map(rows([{ group_id: 3, name: 'Interns' }]));
    expect(failed).to.include({ kind: 'invalid' });
    expect((failed as { reason: string }).reason).to.contain('legacy group "Interns" has no cidaas groupId');
    const skipped = await (await mapperWith({ map: { Editors: 'editors' }, unmapped: 'skip' })).map(rows([{ group_id: 3, name: 'Interns' }, { group_id: 1, name: 'Editors' }]));
    if (skipped.kind !== 'upsert') expect.fail(skipped.kind);
    expect(skipped.user.groups).to.deep.equal([{ groupId: 'editors' }]);
  });

  it('leaves out a membership whose group the lookup does not find (a dangling group_id)', async () => {
    const m = await (await mapperWith({ prefix: '' })).map(rows([{ group_id: 9, name: null }]));
    if (m.kind !== 'upsert') expect.fail(m.kind);
    expect(m.user.groups).to.deep.equal([]);
  });

  it('sends groupIds alone under compat.groupShape ids', async () => {
    const m = await (await mapperWith({ prefix: 'g-' }, { groupShape: 'ids' })).map(rows([{ group_id: 2, name: 'b' }, { group_id: 1, name: 'a' }]));
    if (m.kind !== 'upsert') expect.fail(m.kind);
    expect(m.user.groups).to.deep.equal(['g-a', 'g-b']);
  });

  it('changes the profile fingerprint when a membership changes, so the user is pushed again', async () => {
    const mapper = await mapperWith({ prefix: '' });
    const key = FingerprintKey.generate();
    const a = await mapper.map(rows([{ group_id: 1, name: 'a' }, { group_id: 2, name: 'b' }]));
    const b = await mapper.map(rows([{ group_id: 1, name: 'a' }]));
    if (a.kind !== 'upsert' || b.kind !== 'upsert') expect.fail('not upserts');
    expect(fingerprintUser(a.user, key).profile).to.not.equal(fingerprintUser(b.user, key).profile);
  });

  it('verify names a group difference in either direction, and none for the same memberships in another shape', async () => {
    const mapper = await mapperWith({ prefix: '', roles: { a: ['R'] } });
    const m = await mapper.map(rows([{ group_id: 1, name: 'a' }]));
    if (m.kind !== 'upsert') expect.fail(m.kind);
    const o = { owned: mapper.owned, clockSkewMs: 0 };
    const base = { sub: m.sub, email: 'u1@example.com' };
    expect(compareUser(m.user, { ...base, groups: [{ groupId: 'a', roles: ['R'] }] }, undefined, o, {})).to.deep.equal([]);
    expect(compareUser(m.user, { ...base, groups: [{ groupId: 'a', roles: ['R'] }, { groupId: 'b', roles: [] }] }, undefined, o, {})).to.deep.equal(['groups']);
    expect(compareUser(m.user, { ...base, groups: [] }, undefined, o, {})).to.deep.equal(['groups']);
    expect(compareUser(m.user, { ...base, groups: [{ groupId: 'a', roles: [] }] }, undefined, o, {})).to.deep.equal(['groups']);
    expect(membershipDifference(['a'], [{ groupId: 'a', roles: [] }], true)).to.deep.equal([]);
  });

  it('refuses roles with compat.groupShape ids', async () => {
    const c = minimalConfig();
    c['users'] = { ...c['users'], groups: { table: 'auth_user_groups', userKey: 'user_id', group: 'group_id', roles: { staff: ['ADMIN'] } } };
    c['cidaas'] = { ...c['cidaas'], compat: { groupShape: 'ids' } };
    expect(issueAt(await rejection(c), 'users.groups.roles')).to.contain('groupShape `ids`');
  });

  it('maps linked accounts to sorted identities through the provider map, leaving out rows without an id', async () => {
    const c = minimalConfig();
    c['users'] = { ...c['users'], identities: { table: 'socialaccount_socialaccount', userKey: 'user_id', provider: 'provider', providerUserId: 'uid', map: { 'openid_connect_partner': 'partner-idp' } } };
    const mapper = new UserMapper(await parse(c), undefined);
    const m = await mapper.map({
      key: '1', user: { id: 1, email: 'u1@example.com' }, password: [], mfa: [], attributes: [],
      identities: [
        { provider: 'google', uid: '1098', user_id: 1 }, { provider: 'openid_connect_partner', uid: 'p-7', user_id: 1 }, { provider: 'facebook', uid: null, user_id: 1 },
      ],
    });
    if (m.kind !== 'upsert') expect.fail(m.kind);
    expect(m.user.identities).to.deep.equal([{ provider: 'google', providerUserId: '1098' }, { provider: 'partner-idp', providerUserId: 'p-7' }]);
    const o = { owned: mapper.owned, clockSkewMs: 0 };
    expect(compareUser(m.user, { sub: m.sub, email: 'u1@example.com', identities: [...m.user.identities!].reverse() }, undefined, o, {})).to.deep.equal([]);
    expect(compareUser(m.user, { sub: m.sub, email: 'u1@example.com', identities: [] }, undefined, o, {})).to.deep.equal(['identities']);
  });
});
