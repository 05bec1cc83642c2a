import type { CidaasClient } from '../cidaas/cidaas-client.js';
import { needsReadBack, removesStaleGroups, type AfterUpdate } from '../cidaas/cidaas-compat.js';
import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { membershipMap } from '../cidaas/user-groups.js';
import { identityList, type CidaasUserIdentity } from '../cidaas/user-identities.js';

/** What the read-back after an update found and did. */
export interface AfterUpdateResult {
  /** Memberships removed with DELETE (the tenant kept them although the pushed list lacks them). */
  readonly removedGroups: number;
  /**
   * Social links cidaas holds that the pushed `identities` lack (`identities: add`): no documented
   * call removes one, so they stay until an administrator unlinks them.
   */
  readonly strandedIdentities: readonly CidaasUserIdentity[];
}

const NOTHING: AfterUpdateResult = { removedGroups: 0, strandedIdentities: [] };

/**
 * For a tenant whose bulk upsert keeps what the list leaves out (`cidaas.compat.groups: add`,
 * `emptyGroups: ignore` for an empty list, `identities: add`): reads the just-updated user once,
 * removes it from every group cidaas holds that the pushed list lacks (one DELETE
 * /groups-srv/usergroups/{groupId}/users/{sub} each), and returns the social links cidaas holds
 * that the pushed list lacks (the caller reports them: they cannot be removed). Throws when a
 * call fails (the user is then pushed again, and this runs again).
 */
export async function afterUpdateReadBack(client: CidaasClient, user: CidaasUser, after: AfterUpdate): Promise<AfterUpdateResult> {
  if (!needsReadBack(user, after)) return NOTHING;
  const record = await client.getUser(user.sub);
  if (record === null) return NOTHING;
  let removedGroups = 0;
  if (removesStaleGroups(user, after)) {
    const want = membershipMap(user.groups);
    for (const groupId of membershipMap(record['groups']).keys()) {
      if (!want.has(groupId) && (await client.removeFromGroup(groupId, user.sub)) === 'removed') removedGroups++;
    }
  }
  const strandedIdentities = after.identities && user.identities !== undefined ? strandedLinks(user.identities, record['identities']) : [];
  return { removedGroups, strandedIdentities };
}

/** The links cidaas holds (`have`, as read back) that the pushed list (`want`) lacks, sorted. */
export function strandedLinks(want: unknown, have: unknown): CidaasUserIdentity[] {
  const pushed = new Set(identityList(want).map((i) => `${i.provider}\n${i.providerUserId}`));
  return identityList(have).filter((i) => !pushed.has(`${i.provider}\n${i.providerUserId}`));
}
