import type { UserGroupsConfig } from '../config/config-schema.js';
import { sortedGroups, type CidaasUserGroup } from './cidaas/user-groups.js';
import { GROUP_NAME_COLUMN, type LegacyRow } from './legacy-reader.js';
import { phpUnserialize, type PhpValue } from './tenant/php-unserialize.js';

/** A row's legacy groups, or why its value cannot be read as groups (never guessed). */
export type LegacyGroups = { readonly ok: true; readonly groups: string[] } | { readonly ok: false; readonly reason: string };

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
}

/** A membership row's legacy group: the looked-up name (`lookup`), else the `group` column, as text; null when none. */
export function legacyGroupOf(g: UserGroupsConfig, row: LegacyRow): string | null {
  const s = text(g.lookup ? row[GROUP_NAME_COLUMN] : row[g.group]);
  return s === null || s.trim() === '' ? null : s.trim();
}

/**
 * `decode: php-serialized-map`: the names a PHP serialize()d array of name => bool sets to true
 * (WordPress's `<prefix>capabilities`: WP_User::set_role() and add_role() write `role => true`;
 * add_cap($cap, false) writes a denied capability as false). NULL or an empty value holds no
 * name, as WordPress reads it. Anything else (not an array, a value other than a boolean, bytes
 * serialize() does not write) is refused with the reason: WordPress would read such a value
 * differently from what any guess here could say.
 */
export function decodePhpGroupMap(raw: string | null): LegacyGroups {
  if (raw === null || raw.trim() === '') return { ok: true, groups: [] };
  const refuse = (why: string): LegacyGroups => ({
    ok: false,
    reason: `groups: users.groups.group does not hold a PHP-serialized map of name => true/false (users.groups.decode: php-serialized-map): ${why}`,
  });
  let value: PhpValue;
  try {
    value = phpUnserialize(raw);
  } catch (err) {
    return refuse((err as Error).message);
  }
  if (!(value instanceof Map)) return refuse(`it holds a ${value === null ? 'null' : typeof value}, not an array`);
  const groups: string[] = [];
  for (const [name, member] of value) {
    if (typeof member !== 'boolean') return refuse(`"${name}" maps to ${member instanceof Map ? 'an array' : JSON.stringify(member)}, not true or false`);
    if (member && name.trim() !== '') groups.push(name.trim());
  }
  return { ok: true, groups };
}

/** The legacy groups one row of `users.groups.table` names: one per membership row, or the decoded value's. */
export function legacyGroupsOf(g: UserGroupsConfig, row: LegacyRow): LegacyGroups {
  if (g.decode === 'php-serialized-map') return decodePhpGroupMap(text(row[g.group]));
  const one = legacyGroupOf(g, row);
  return { ok: true, groups: one === null ? [] : [one] };
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
 * A membership whose lookup finds no group (a dangling id) is left out: it names nothing. A value
 * `decode` refuses fails the user.
 */
export function mapUserGroups(g: UserGroupsConfig, rows: readonly LegacyRow[]): MappedGroups {
  const memberships = new Map<string, string[]>();
  for (const row of rows) {
    const legacy = legacyGroupsOf(g, row);
    if (!legacy.ok) return legacy;
    for (const name of legacy.groups) {
      const groupId = groupIdOf(g, name);
      if (groupId === undefined) {
        if (g.unmapped === 'skip') continue;
        return {
          ok: false,
          reason: `groups: legacy group "${name}" has no cidaas groupId in users.groups.map (add it there, set users.groups.prefix, or set users.groups.unmapped: skip)`,
        };
      }
      memberships.set(groupId, [...(g.roles[groupId] ?? [])].sort());
    }
  }
  return { ok: true, groups: sortedGroups(memberships) };
}
