import type { Config } from '../../config/config-schema.js';
import { openSource } from '../app/open-pipeline.js';
import { readerTables } from '../app/pipeline-tables.js';
import { decodePhpGroupMap, groupIdOf } from '../map-user-groups.js';
import { SqlLegacyReader } from '../sql-legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import type { TenantAdminClient } from '../tenant/tenant-admin-client.js';
import { fail, pass, warn, type PreflightItem } from './preflight-item.js';

/** The scope reading the tenant's groups needs. */
export const GROUPS_READ = 'cidaas:groups_read';
/** What a cidaas groupId may hold (as `tenant.groups` declares them). */
const GROUP_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
/** Most distinct legacy groups read (and asked about one by one) when `users.groups` has no `map`. */
export const MAX_LEGACY_GROUPS = 200;

/** The groupIds the mapping can name, or why they cannot be listed (too many legacy groups). */
export type NameableGroups =
  | { readonly ok: true; readonly groupIds: string[]; /** `decode`: why distinct values were refused (their users become dead letters). */ readonly undecodable?: string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Every cidaas groupId `users.groups` can name: the `map` values, and, where a legacy group can
 * reach cidaas without the map (`prefix`, or no map at all), the distinct legacy groups of the
 * membership table read once (at most {@link MAX_LEGACY_GROUPS}).
 */
export async function nameableGroups(config: Config, logger: Logger): Promise<NameableGroups> {
  const g = config.users.groups;
  if (!g) return { ok: true, groupIds: [] };
  const ids = new Set(Object.values(g.map ?? {}));
  const undecodable: string[] = [];
  // A decoded column is read even with a complete map: a value decode refuses is worth knowing before the run.
  if (g.map === undefined || g.prefix !== undefined || g.decode !== undefined) {
    const { source, dialect } = await openSource(config, logger);
    const reader = new SqlLegacyReader(dialect, readerTables(config));
    try {
      const legacy = await reader.distinctValues('groups', g.group, MAX_LEGACY_GROUPS);
      const mapNamesAll = g.map !== undefined && g.prefix === undefined;
      if (legacy === null && mapNamesAll) return { ok: true, groupIds: [...ids].sort() }; // read only for the decode warning
      if (legacy === null) {
        return { ok: false, reason: `${g.table.name} names more than ${MAX_LEGACY_GROUPS} distinct ${g.decode ? 'values' : 'groups'}: too many to check one by one` };
      }
      // A decoded column's distinct values are whole maps (few: one per combination of roles); a
      // value decode refuses names nothing here, and fails its users at the sync with the reason.
      const names = g.decode === 'php-serialized-map'
        ? legacy.flatMap((v) => {
          const d = decodePhpGroupMap(v);
          if (!d.ok) undecodable.push(d.reason);
          return d.ok ? d.groups : [];
        })
        : legacy;
      for (const name of names) {
        const id = groupIdOf(g, name);
        if (id !== undefined) ids.add(id);
      }
    } finally {
      await reader.close().catch(() => undefined);
      await source.stop().catch(() => undefined);
    }
  }
  return { ok: true, groupIds: [...ids].sort(), ...(undecodable.length ? { undecodable } : {}) };
}

/**
 * One item per group the mapping can name: it exists in the tenant, or it does not, with the
 * `setup` fix (cidaas fails a user naming a missing group, or drops the membership silently).
 */
export async function checkGroupPreconditions(
  config: Config, logger: Logger, scopes: readonly string[], admin: () => TenantAdminClient,
): Promise<PreflightItem[]> {
  const nameable = await nameableGroups(config, logger).catch((err: unknown) => ({ ok: false as const, reason: `cannot read the legacy groups: ${(err as Error).message}` }));
  const c = config.cidaas;
  if (!nameable.ok) {
    return [warn('groups', `cannot check that the mapped groups exist in the tenant: ${nameable.reason}`,
      'list them in users.groups.map (legacy group -> cidaas groupId): check then asks the tenant about each')];
  }
  const refused = nameable.undecodable ?? [];
  const g = config.users.groups;
  const decodeItems = refused.length === 0 ? [] : [warn('groups decode',
    `${refused.length} distinct value${refused.length === 1 ? '' : 's'} of ${g?.table.name ?? ''}.${g?.group ?? ''} cannot be read as groups; their users become dead letters until repaired: ${refused[0]!}`,
    'repair the values in the platform (WordPress writes `a:1:{s:13:"administrator";b:1;}`); each repaired user is pushed on its next change, or with `cidaas-sync dlq retry`')];
  if (!nameable.groupIds.length) return decodeItems;
  if (!scopes.includes(GROUPS_READ)) {
    return [...decodeItems, warn('groups', `cannot check that ${nameable.groupIds.join(', ')} exist in the tenant: the client lacks ${GROUPS_READ}`,
      `grant client "${c.clientId}" the scope ${GROUPS_READ}; a user naming a missing group fails, or loses that membership silently: ` +
        'declare the groups under tenant.groups and run `cidaas-sync setup apply` before the first run')];
  }
  const declared = new Set((config.tenant?.groups ?? []).map((d) => d.groupId));
  const client = admin();
  const items: PreflightItem[] = [...decodeItems];
  for (const groupId of nameable.groupIds) {
    if (!GROUP_ID.test(groupId)) {
      items.push(fail(`group ${groupId}`, 'is not a usable cidaas groupId (1-100 letters, digits, `_`, `.`, `:` or `-`)',
        `map the legacy group to one in users.groups.map (e.g. \`"${groupId}": ${groupId.replace(/[^A-Za-z0-9_.:-]+/g, '-').slice(0, 100)}\`), declare that under tenant.groups, then run \`cidaas-sync setup apply --config <this file>\``));
      continue;
    }
    const group = await client.read('group', groupId, 3);
    if (group !== null) {
      items.push(pass(`group ${groupId}`, 'exists in the tenant'));
      continue;
    }
    const fix = declared.has(groupId)
      ? 'run `cidaas-sync setup apply --config <this file>`: tenant.groups declares it'
      : `declare it under tenant.groups (e.g. \`- { groupId: ${groupId}, name: "${groupId}", groupType: <a group type> }\`), then run \`cidaas-sync setup apply --config <this file>\``;
    items.push(fail(`group ${groupId}`, 'missing in the tenant: cidaas would fail every user in it, or drop the membership', fix));
  }
  return items;
}
