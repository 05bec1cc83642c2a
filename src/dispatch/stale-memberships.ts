import type { CidaasClient } from '../cidaas/cidaas-client.js';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { membershipMap } from '../cidaas/user-groups.js';

/**
 * For a tenant whose bulk upsert only adds memberships (`cidaas.compat.groups: add`): removes the
 * user from every group cidaas holds that the pushed list lacks, one DELETE
 * /groups-srv/usergroups/{groupId}/users/{sub} each, after reading the user once. Resolves with the
 * number removed; throws when a call fails (the user is then pushed again, and this runs again).
 */
export async function removeStaleMemberships(client: CidaasClient, user: CidaasUser): Promise<number> {
  if (user.groups === undefined) return 0;
  const want = membershipMap(user.groups);
  const record = await client.getUser(user.sub);
  if (record === null) return 0;
  let removed = 0;
  for (const groupId of membershipMap(record['groups']).keys()) {
    if (!want.has(groupId) && (await client.removeFromGroup(groupId, user.sub)) === 'removed') removed++;
  }
  return removed;
}
