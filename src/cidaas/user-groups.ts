/**
 * A user's group memberships in the bulk entity. **ASSUMED** (docs/cidaas-api.md, "Groups"):
 * cidaas's bulk docs say a user may carry groups, not in which shape. `cidaas.compat.groupShape`
 * picks `objects` (`[{groupId, roles}]`, default) or `ids` (`["groupId"]`).
 */
export interface CidaasUserGroup {
  readonly groupId: string;
  /** The roles the user has in the group; left out when none are mapped. */
  readonly roles?: readonly string[];
}

/** `groups` of a user entity in either shape. */
export type CidaasUserGroups = readonly CidaasUserGroup[] | readonly string[];

/**
 * Memberships in one comparable form, whatever shape they came in: groupId -> its roles, sorted;
 * `[]` for none. Items that are neither a string nor an object with a string `groupId` are skipped.
 * Push, verify and the emulator read memberships through this one function.
 */
export function membershipMap(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    if (typeof item === 'string') {
      if (!out.has(item)) out.set(item, []);
    } else if (typeof item === 'object' && item !== null && typeof (item as { groupId?: unknown }).groupId === 'string') {
      const { groupId, roles } = item as { groupId: string; roles?: unknown };
      const given = Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
      out.set(groupId, [...new Set([...(out.get(groupId) ?? []), ...given])].sort());
    }
  }
  return out;
}

/** The memberships as a sorted list of objects (`roles` only where there are some). */
export function sortedGroups(memberships: ReadonlyMap<string, readonly string[]>): CidaasUserGroup[] {
  return [...memberships.keys()].sort().map((groupId) => {
    const roles = memberships.get(groupId) ?? [];
    return roles.length ? { groupId, roles: [...roles] } : { groupId };
  });
}

/** The memberships in the shape the tenant takes (`cidaas.compat.groupShape`). */
export function groupsInShape(groups: CidaasUserGroups, shape: 'objects' | 'ids'): CidaasUserGroups {
  const sorted = sortedGroups(membershipMap(groups));
  return shape === 'ids' ? sorted.map((g) => g.groupId) : sorted;
}

/**
 * How two membership lists differ, for verify: the groupIds only one side has, and those whose
 * roles differ. Empty when they hold the same memberships.
 */
export function membershipDifference(want: unknown, have: unknown, compareRoles: boolean): string[] {
  const w = membershipMap(want);
  const h = membershipMap(have);
  const out: string[] = [];
  for (const [id, roles] of w) {
    const other = h.get(id);
    if (other === undefined) out.push(`missing ${id}`);
    else if (compareRoles && roles.length > 0 && roles.join('\n') !== other.join('\n')) out.push(`roles of ${id}`);
  }
  for (const id of h.keys()) if (!w.has(id)) out.push(`extra ${id}`);
  return out;
}
