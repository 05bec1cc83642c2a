import { expect } from 'chai';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { checkGroupPreconditions, GROUPS_READ } from '../../../src/preflight/group-preconditions.js';
import type { TenantAdminClient } from '../../../src/tenant/tenant-admin-client.js';
import { minimalConfig, parse } from '../config/config-test-helpers.js';

/** A tenant holding these groups, answering `read('group', id)` as the admin client does. */
function tenantWith(...groupIds: string[]): () => TenantAdminClient {
  const read = (kind: string, key: string): Promise<Record<string, unknown> | null> =>
    Promise.resolve(kind === 'group' && groupIds.includes(key) ? { groupId: key } : null);
  return () => ({ read }) as unknown as TenantAdminClient;
}

async function configWith(groups: Record<string, unknown>, tenant?: Record<string, unknown>) {
  const c = minimalConfig();
  c['users'] = { ...c['users'], groups: { table: 'auth_user_groups', userKey: 'user_id', group: 'group_id', ...groups } };
  if (tenant) c['tenant'] = tenant;
  return parse(c);
}

// With a map and no prefix, the nameable groups are the map's values: no legacy read.
describe('the group precondition of the user sync (#16)', () => {
  it('passes groups the tenant has and fails a missing one with the tenant.groups entry and setup apply', async () => {
    const config = await configWith({ map: { '1': 'editors', '2': 'staff' } });
    const items = await checkGroupPreconditions(config, new MemoryLogger(), [GROUPS_READ], tenantWith('editors'));
    expect(items.map((i) => [i.name, i.ok])).to.deep.equal([['group editors', true], ['group staff', false]]);
    expect(items[1]!.fix).to.contain('declare it under tenant.groups').and.contain('groupId: staff').and.contain('cidaas-sync setup apply');
  });

  it('says setup apply alone when tenant.groups already declares the missing group', async () => {
    const config = await configWith({ map: { '2': 'staff' } }, { groupTypes: [{ groupType: 'dj' }], groups: [{ groupId: 'staff', name: 'Staff', groupType: 'dj' }] });
    const [item] = await checkGroupPreconditions(config, new MemoryLogger(), [GROUPS_READ], tenantWith());
    expect(item!.fix).to.equal('run `cidaas-sync setup apply --config <this file>`: tenant.groups declares it');
  });

  it('fails a groupId cidaas cannot hold (a Django name with spaces) with the map entry that fixes it', async () => {
    const config = await configWith({ map: { '3': 'Content Editors' } });
    const [item] = await checkGroupPreconditions(config, new MemoryLogger(), [GROUPS_READ], tenantWith('Content Editors'));
    expect(item).to.include({ name: 'group Content Editors', ok: false });
    expect(item!.fix).to.contain('users.groups.map').and.contain('Content-Editors');
  });

  it('warns instead of failing when the client may not read groups', async () => {
    const config = await configWith({ map: { '1': 'editors' } });
    const [item] = await checkGroupPreconditions(config, new MemoryLogger(), [], tenantWith());
    expect(item).to.include({ name: 'groups', severity: 'warning' });
    expect(item!.fix).to.contain(GROUPS_READ);
    // Without the scope nothing stops the run: the hint also names the way to make the groups exist.
    expect(item!.fix).to.contain('tenant.groups').and.contain('cidaas-sync setup apply');
  });
});
