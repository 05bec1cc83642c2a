import type { UserGroupsConfig } from '../config/config-schema.js';
import { sortedGroups, type CidaasUserGroup } from './cidaas/user-groups.js';
import { GROUP_NAME_COLUMN, type LegacyRow } from './legacy-reader.js';

/** A membership row's legacy group: the looked-up name (`lookup`), else the `group` column, as text; null when none. */
export function legacyGroupOf(g: UserGroupsConfig, row: LegacyRow): string | null {
  const v = g.lookup ? row[GROUP_NAME_COLUMN] : row[g.group];
  if (v === null || v === undefined) return null;
  const s = v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
  return s.trim() === '' ? null : s.trim();
}

/** The cidaas groupId of a legacy group: `map`, else `prefix` + it; undefined when neither names it. */
export function groupIdOf(g: UserGroupsConfig, legacy: string): string | undefined {
  const mapped = g.map?.[legacy];
  if (mapped !== undefined) return mapped;
  if (g.prefix !== undefined) return g.prefix + legacy;
  return g.map === undefined ? legacy : undefined;
}

/** What the membership rows of one user become: the sorted memberships, or why the user cannot be pushed. */
export type MappedGroups = { readonly ok: true; readonly groups: CidaasUserGroup[] } | { readonly ok: false; readonly reason: string };

/**
 * The user's memberships from their rows of `users.groups.table`: each legacy group through `map`
 * / `prefix`, with the roles `roles` gives that groupId. A legacy group with no groupId fails the
 * user (`unmapped: fail`, default: a membership never vanishes silently) or is left out (`skip`).
 * A membership whose lookup finds no group (a dangling id) is left out: it names nothing.
 */
export function mapUserGroups(g: UserGroupsConfig, rows: readonly LegacyRow[]): MappedGroups {
  const memberships = new Map<string, string[]>();
  for (const row of rows) {
    const legacy = legacyGroupOf(g, row);
    if (legacy === null) continue;
    const groupId = groupIdOf(g, legacy);
    if (groupId === undefined) {
      if (g.unmapped === 'skip') continue;
      return {
        ok: false,
        reason: `groups: legacy group "${legacy}" has no cidaas groupId in users.groups.map (add it there, set users.groups.prefix, or set users.groups.unmapped: skip)`,
      };
    }
    memberships.set(groupId, [...(g.roles[groupId] ?? [])].sort());
  }
  return { ok: true, groups: sortedGroups(memberships) };
}
