import type { CidaasUser } from '../cidaas/cidaas-user.js';
import { membershipMap } from '../cidaas/user-groups.js';
import { nameableGroups } from '../preflight/group-preconditions.js';
import { TenantAdminClient } from '../tenant/tenant-admin-client.js';
import type { CanaryFinding } from './canary-finding.js';
import type { CanaryLedger } from './canary-ledger.js';
import type { CanaryDeps } from './run-canary.js';

type Shape = 'objects' | 'ids';
type Update = 'replace' | 'add';

/** Most groups the mapping names that are asked about, one by one, to find one the tenant has. */
const MAX_GROUPS_ASKED = 20;

/**
 * The groups questions (`cidaas.compat.groupShape` and `cidaas.compat.groups`), asked when the
 * mapping has `users.groups`, with canary users put in one group the mapping names and the tenant
 * has: one user per shape (does its read-back show the membership?), then the user whose shape
 * worked pushed again with `groups: []` (is the membership still there: `add`, or gone:
 * `replace`). The users go on the ledger before the push and their memberships are removed at the
 * end; the users themselves are removed with every other canary user.
 * Returns no finding when the mapping has no `users.groups`.
 */
export async function checkGroups(d: CanaryDeps, ledger: CanaryLedger, canaryUser: (purpose: string) => CidaasUser): Promise<CanaryFinding[]> {
  if (!d.config.users.groups) return [];
  const compat = d.config.cidaas.compat;
  const shapeQ = `cidaas.compat.groupShape (${compat.groupShape})`;
  const updateQ = `cidaas.compat.groups (${compat.groups})`;
  const group = await existingGroup(d);
  if (typeof group !== 'string') return [shapeQ, updateQ].map((assumption) => ({ verdict: 'not testable', assumption, detail: group.reason }));

  const other: Shape = compat.groupShape === 'objects' ? 'ids' : 'objects';
  const probes = ([compat.groupShape, other] as const).map((shape) => {
    const user = canaryUser(`groups as ${shape}`);
    return { shape, user: { ...user, groups: shape === 'ids' ? [group] : [{ groupId: group }] } };
  });
  await ledger.add(probes.map((p) => p.user.sub));
  const member = async (sub: string): Promise<boolean> => membershipMap((await d.client.getUser(sub))?.groups).has(group);
  try {
    const outcomes = new Map((await d.client.bulkUpsert(probes.map((p) => p.user))).map((o) => [o.sub, o]));
    const took = new Map<Shape, string | true>();
    for (const p of probes) {
      const o = outcomes.get(p.user.sub);
      took.set(p.shape, !o || o.status === 'FAILED' ? `refused the user (${o?.message ?? 'no outcome'})` : await member(p.user.sub) || 'took the user but read back shows no membership');
    }
    const shapeFinding = shapeVerdict(shapeQ, group, compat.groupShape, other, took);
    const carrier = probes.find((p) => took.get(p.shape) === true);
    if (!carrier) {
      return [shapeFinding, { verdict: 'not testable', assumption: updateQ, detail: `no canary user got into group "${group}", so there was no membership to push over; ask cidaas support whether a bulk upsert's groups replace or add to the user's memberships` }];
    }
    const again = (await d.client.bulkUpsert([{ ...carrier.user, groups: [] }]))[0];
    if (!again || again.status === 'FAILED') {
      return [shapeFinding, { verdict: 'not testable', assumption: updateQ, detail: `cidaas refused the canary user pushed again with an empty groups list (${again?.message ?? 'no outcome'}); ask cidaas support whether a bulk upsert's groups replace or add to the user's memberships` }];
    }
    return [shapeFinding, updateVerdict(updateQ, group, compat.groups, await member(carrier.user.sub) ? 'add' : 'replace')];
  } finally {
    for (const p of probes) await d.client.removeFromGroup(group, p.user.sub).catch(() => undefined);
  }
}

function shapeVerdict(assumption: string, group: string, configured: Shape, other: Shape, took: ReadonlyMap<Shape, string | true>): CanaryFinding {
  const said = (s: Shape): string => (took.get(s) === true ? `as ${s} it put the user in group "${group}"` : `as ${s} it ${String(took.get(s))}`);
  const detail = `${said(configured)}; ${said(other)}`;
  if (took.get(configured) === true) return { verdict: 'confirmed', assumption, detail };
  if (took.get(other) === true) {
    const loss = typeof took.get(configured) === 'string' && String(took.get(configured)).startsWith('refused') ? 'cidaas fails every user with a group' : 'every user loses its memberships silently';
    return { verdict: 'refuted', assumption, detail: `${detail}; with ${configured} ${loss}`, setting: { key: 'groupShape', value: other } };
  }
  return { verdict: 'not testable', assumption, detail: `${detail}; ask cidaas support in which shape a bulk user carries its groups` };
}

function updateVerdict(assumption: string, group: string, configured: Update, tenant: Update): CanaryFinding {
  const how = `the canary user pushed again with an empty groups list ${tenant === 'add' ? 'is still' : 'is no longer'} in group "${group}": the tenant ${tenant === 'add' ? 'only adds memberships' : 'replaces the memberships'}`;
  if (configured === tenant) return { verdict: 'confirmed', assumption, detail: how };
  const consequence = tenant === 'add'
    ? 'with replace, a membership removed in legacy would stay in cidaas (add removes it with one DELETE per group)'
    : 'with add, every membership removed in legacy costs a needless DELETE call';
  return { verdict: 'refuted', assumption, detail: `${how}; ${consequence}`, setting: { key: 'groups', value: tenant } };
}

/** One groupId the mapping names that exists in the tenant, or why there is none to test with. */
async function existingGroup(d: CanaryDeps): Promise<string | { reason: string }> {
  const nameable = await nameableGroups(d.config, d.logger).catch((err: unknown) => ({ ok: false as const, reason: `cannot read the legacy groups: ${(err as Error).message}` }));
  if (!nameable.ok) return { reason: `${nameable.reason}; list them in users.groups.map so canary can pick one` };
  if (nameable.groupIds.length === 0) return { reason: 'the mapping names no group yet (the membership table is empty): run canary again once it has one' };
  const c = d.config.cidaas;
  const admin = new TenantAdminClient({ baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, logger: d.logger.child({ component: 'cidaas' }), allowEmulator: c.allowEmulator });
  try {
    for (const groupId of nameable.groupIds.slice(0, MAX_GROUPS_ASKED)) {
      if ((await admin.read('group', groupId, 3)) !== null) return groupId;
    }
  } catch (err) {
    return { reason: `cannot read the tenant's groups (${(err as Error).message}): grant client "${c.clientId}" the scope cidaas:groups_read, then run canary again` };
  } finally {
    await admin.close().catch(() => undefined);
  }
  const named = nameable.groupIds.slice(0, 5).join(', ') + (nameable.groupIds.length > 5 ? ', …' : '');
  return { reason: `none of the groups the mapping names (${named}) exists in the tenant yet, so canary could not test this: run \`cidaas-sync setup apply --config <this file>\` first (tenant.groups), then canary again` };
}
