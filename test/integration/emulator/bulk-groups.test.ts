import { expect } from 'chai';
import type { EmulatorFixture } from './emulator-fixture.js';
import { useEmulator, user } from './emulator-fixture.js';

/** The tenant's groups (as `setup apply` or an admin creates them). */
function withGroups(t: EmulatorFixture, ...ids: string[]): void {
  for (const groupId of ids) t.emu.setup.groups.set(groupId, { groupId, groupName: groupId, groupType: 'default', parentId: 'root' });
}

async function readGroups(t: EmulatorFixture, sub: string): Promise<unknown> {
  const res = await t.call('GET', `/user-srv/users/${sub}`, { token: t.emu.issueToken() });
  return (res.body.data as Record<string, unknown>)['groups'];
}

describe('emulator: group memberships and social identities in the bulk entity (#16)', () => {
  describe('groupUpdate replace, unknownGroup fail (the defaults)', () => {
    const t = useEmulator();

    it('stores memberships in either shape, sorted, and returns them on read', async () => {
      withGroups(t, 'staff', 'editors');
      const [s] = await t.bulk([user(1, { groups: [{ groupId: 'staff', roles: ['ADMIN'] }, 'editors'] })]);
      expect(s!.status).to.equal('CREATED');
      expect(await readGroups(t, 'u-1')).to.deep.equal([{ groupId: 'editors', roles: [] }, { groupId: 'staff', roles: ['ADMIN'] }]);
    });

    it('replaces the memberships with the list sent (an empty list removes them all)', async () => {
      withGroups(t, 'staff', 'editors');
      await t.bulk([user(1, { groups: ['staff', 'editors'] })]);
      await t.bulk([user(1, { groups: ['editors'] })]);
      expect(t.emu.getUser('u-1')!.groups).to.deep.equal([{ groupId: 'editors', roles: [] }]);
      await t.bulk([user(1, { groups: [] })]);
      expect(t.emu.getUser('u-1')!.groups).to.deep.equal([]);
    });

    it('keeps the memberships when a push leaves groups out', async () => {
      withGroups(t, 'staff');
      await t.bulk([user(1, { groups: ['staff'] })]);
      await t.bulk([user(1, { given_name: 'Changed' })]);
      expect(t.emu.getUser('u-1')!.groups).to.deep.equal([{ groupId: 'staff', roles: [] }]);
    });

    it('fails a user naming a group the tenant does not have, and stores nothing for it', async () => {
      withGroups(t, 'staff');
      const [s] = await t.bulk([user(1, { groups: ['staff', 'ghosts'] })]);
      expect(s).to.include({ status: 'FAILED', message: 'group "ghosts" does not exist' });
      expect(t.emu.getUser('u-1')).to.equal(undefined);
    });
  });

  describe('DELETE /groups-srv/usergroups/{groupId}/users/{sub}', () => {
    const t = useEmulator({ scopes: ['cidaas:bulk_user_create', 'cidaas:users_read', 'cidaas:groups_write'] });

    it('removes one membership (200), answers 404 when the user is not a member, and needs cidaas:groups_write', async () => {
      withGroups(t, 'staff', 'editors');
      await t.bulk([user(1, { groups: ['staff', 'editors'] })]);
      const token = t.emu.issueToken();
      expect((await t.call('DELETE', '/groups-srv/usergroups/staff/users/u-1', { token })).status).to.equal(200);
      expect(t.emu.getUser('u-1')!.groups).to.deep.equal([{ groupId: 'editors', roles: [] }]);
      expect((await t.call('DELETE', '/groups-srv/usergroups/staff/users/u-1', { token })).status).to.equal(404);
      expect((await t.call('DELETE', '/groups-srv/usergroups/editors/users/u-1', { token: t.emu.issueToken(['cidaas:users_read']) })).status).to.equal(403);
    });
  });

  describe('groupUpdate add, unknownGroup drop', () => {
    const t = useEmulator({ tenant: { groupUpdate: 'add', unknownGroup: 'drop' } });

    it('only adds: a membership left out of the list stays', async () => {
      withGroups(t, 'staff', 'editors');
      await t.bulk([user(1, { groups: ['staff'] })]);
      await t.bulk([user(1, { groups: ['editors'] })]);
      expect(t.emu.getUser('u-1')!.groups!.map((g) => g.groupId)).to.deep.equal(['editors', 'staff']);
    });

    it('drops a membership of a group the tenant does not have, silently', async () => {
      withGroups(t, 'staff');
      const [s] = await t.bulk([user(1, { groups: ['staff', 'ghosts'] })]);
      expect(s!.status).to.equal('CREATED');
      expect(t.emu.getUser('u-1')!.groups).to.deep.equal([{ groupId: 'staff', roles: [] }]);
    });
  });

  describe('groupUpdate ignore-empty', () => {
    const t = useEmulator({ tenant: { groupUpdate: 'ignore-empty' } });

    it('replaces the memberships with a non-empty list, and leaves them as they are for an empty one', async () => {
      withGroups(t, 'staff', 'editors');
      await t.bulk([user(1, { groups: ['staff', 'editors'] })]);
      await t.bulk([user(1, { groups: ['editors'] })]);
      expect(t.emu.getUser('u-1')!.groups!.map((g) => g.groupId)).to.deep.equal(['editors']);
      await t.bulk([user(1, { groups: [] })]);
      expect(t.emu.getUser('u-1')!.groups!.map((g) => g.groupId)).to.deep.equal(['editors']);
    });
  });

  describe('identityUpdate add', () => {
    const t = useEmulator({ tenant: { identityUpdate: 'add' } });

    it('only adds: a link left out of the list (an empty list too) stays, sorted with the new ones', async () => {
      t.emu.setup.social.set('p1', { id: 'p1', provider_name: 'google', name: 'google', enabled: true });
      t.emu.setup.social.set('p2', { id: 'p2', provider_name: 'facebook', name: 'facebook', enabled: true });
      await t.bulk([user(1, { identities: [{ provider: 'google', providerUserId: '1098' }] })]);
      await t.bulk([user(1, { identities: [{ provider: 'facebook', providerUserId: 'fb-5' }] })]);
      const both = [{ provider: 'facebook', providerUserId: 'fb-5' }, { provider: 'google', providerUserId: '1098' }];
      expect(t.emu.getUser('u-1')!.identities).to.deep.equal(both);
      await t.bulk([user(1, { identities: [] })]);
      expect(t.emu.getUser('u-1')!.identities).to.deep.equal(both);
    });
  });

  describe('social identities (unknownProvider fail, then drop)', () => {
    const t = useEmulator();
    const drops = useEmulator({ tenant: { unknownProvider: 'drop' } });
    const google = (f: EmulatorFixture, enabled = true): void => void f.emu.setup.social.set('p1', { id: 'p1', provider_name: 'google', name: 'google', enabled });

    it('stores identities sorted, replaces them whole, and returns them on read', async () => {
      google(t);
      t.emu.setup.custom.set('partner-idp', { provider_name: 'partner-idp' });
      await t.bulk([user(1, { identities: [{ provider: 'partner-idp', providerUserId: 'p-7' }, { provider: 'google', providerUserId: '1098' }] })]);
      const res = await t.call('GET', '/user-srv/users/u-1', { token: t.emu.issueToken() });
      expect((res.body.data as Record<string, unknown>)['identities']).to.deep.equal([
        { provider: 'google', providerUserId: '1098' }, { provider: 'partner-idp', providerUserId: 'p-7' }]);
      await t.bulk([user(1, { identities: [] })]);
      expect(t.emu.getUser('u-1')!.identities).to.deep.equal([]);
    });

    it('fails a user linked to a provider the tenant lacks or has disabled', async () => {
      google(t, false);
      const [s] = await t.bulk([user(1, { identities: [{ provider: 'google', providerUserId: '1098' }] })]);
      expect(s).to.include({ status: 'FAILED', message: 'provider "google" is not enabled in the tenant' });
    });

    it('drops that identity silently under unknownProvider drop', async () => {
      google(drops);
      await drops.bulk([user(1, { identities: [{ provider: 'google', providerUserId: '1098' }, { provider: 'myspace', providerUserId: '9' }] })]);
      expect(drops.emu.getUser('u-1')!.identities).to.deep.equal([{ provider: 'google', providerUserId: '1098' }]);
    });
  });
});
