import { randomBytes } from 'node:crypto';
import type { CidaasCompat } from '../cidaas/cidaas-compat.js';
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
 * The groups questions, asked when the mapping has `users.groups`, with canary users put in groups
 * the mapping names and the tenant has:
 * - `cidaas.compat.groupShape`: one user per shape in the first group (does its read-back show the
 *   membership?);
 * - `cidaas.compat.groups`: the user whose shape worked pushed with two groups, then with one (is
 *   the membership left out still there: `add`, or gone: `replace`); a non-empty list, so that a
 *   tenant that ignores only an empty list is not taken for `add`;
 * - `cidaas.compat.emptyGroups`: that user pushed again with `groups: []` (still a member: the
 *   empty list is ignored, so removing a user's last group needs the DELETE path);
 * - a group the tenant lacks: a user naming one, failed or dropped (reported; no setting).
 * The users go on the ledger before the push and their memberships are removed at the end; the
 * users themselves are removed with every other canary user. Returns no finding when the mapping
 * has no `users.groups`.
 */
export async function checkGroups(d: CanaryDeps, ledger: CanaryLedger, canaryUser: (purpose: string) => CidaasUser): Promise<CanaryFinding[]> {
  if (!d.config.users.groups) return [];
  const compat = d.config.cidaas.compat;
  const shapeQ = `cidaas.compat.groupShape (${compat.groupShape})`;
  const updateQ = `cidaas.compat.groups (${compat.groups})`;
  const emptyQ = `cidaas.compat.emptyGroups (${compat.emptyGroups})`;
  const unknownQ = 'group the tenant lacks';
  const groups = await existingGroups(d);
  if (!Array.isArray(groups)) return [shapeQ, updateQ, emptyQ, unknownQ].map((assumption) => ({ verdict: 'not testable', assumption, detail: groups.reason }));
  const [first, second] = groups as [string, string | undefined];

  const other: Shape = compat.groupShape === 'objects' ? 'ids' : 'objects';
  const inShape = (shape: Shape, ids: readonly string[]): CidaasUser['groups'] => (shape === 'ids' ? [...ids] : ids.map((groupId) => ({ groupId })));
  const probes = ([compat.groupShape, other] as const).map((shape) => {
    const user = canaryUser(`groups as ${shape}`);
    return { shape, user: { ...user, groups: inShape(shape, [first]) } };
  });
  const missing = `canary-missing-${randomBytes(4).toString('hex')}`;
  const unknownUser = canaryUser('unknown group');
  await ledger.add([...probes.map((p) => p.user.sub), unknownUser.sub]);
  const memberships = async (sub: string): Promise<Map<string, string[]>> => membershipMap((await d.client.getUser(sub))?.groups);
  const member = async (sub: string, group: string): Promise<boolean> => (await memberships(sub)).has(group);
  try {
    const outcomes = new Map((await d.client.bulkUpsert(probes.map((p) => p.user))).map((o) => [o.sub, o]));
    const took = new Map<Shape, string | true>();
    for (const p of probes) {
      const o = outcomes.get(p.user.sub);
      took.set(p.shape, !o || o.status === 'FAILED' ? `refused the user (${o?.message ?? 'no outcome'})` : await member(p.user.sub, first) || 'took the user but read back shows no membership');
    }
    const shapeFinding = shapeVerdict(shapeQ, first, compat.groupShape, other, took);
    const carrier = probes.find((p) => took.get(p.shape) === true);
    if (!carrier) {
      const why = `no canary user got into group "${first}", so there was no membership to push over`;
      return [shapeFinding,
        { verdict: 'not testable', assumption: updateQ, detail: `${why}; ask cidaas support whether a bulk upsert's groups replace or add to the user's memberships` },
        { verdict: 'not testable', assumption: emptyQ, detail: `${why}; ask cidaas support whether an empty groups list removes the user's memberships` },
        { verdict: 'not testable', assumption: unknownQ, detail: `${why}; ask cidaas support whether a user naming a missing group fails or loses that membership` }];
    }
    const push = async (ids: readonly string[]): Promise<string | undefined> => {
      const o = (await d.client.bulkUpsert([{ ...carrier.user, groups: inShape(carrier.shape, ids) }]))[0];
      return !o || o.status === 'FAILED' ? (o?.message ?? 'no outcome') : undefined;
    };
    const refusedOver = (list: string, why: string | undefined): string => `cidaas refused the canary user pushed again with ${list} (${why ?? ''})`;

    // replace or add, with a non-empty list: [first, second], then [second].
    let update: CanaryFinding;
    let holding = first;
    if (second === undefined) {
      update = { verdict: 'not testable', assumption: updateQ, detail: `only one group the mapping names exists in the tenant ("${first}"); canary needs two to push one membership over another: create a second (tenant.groups, \`setup apply\`) and run canary again, or ask cidaas support whether a bulk upsert's groups replace or add to the user's memberships` };
    } else {
      const refused = (await push([first, second])) ?? (await push([second]));
      if (refused !== undefined) {
        update = { verdict: 'not testable', assumption: updateQ, detail: `${refusedOver(`groups "${first}" and "${second}", then "${second}" alone`, refused)}; ask cidaas support whether a bulk upsert's groups replace or add to the user's memberships` };
      } else {
        const held = await memberships(carrier.user.sub);
        if (!held.has(second)) {
          update = { verdict: 'not testable', assumption: updateQ, detail: `the canary user pushed with group "${second}" is not in it; ask cidaas support whether a bulk upsert's groups replace or add to the user's memberships` };
        } else {
          update = updateVerdict(updateQ, first, second, compat.groups, held.has(first) ? 'add' : 'replace');
          holding = second;
        }
      }
    }

    // The empty list, pushed over the membership the user holds now.
    let empty: CanaryFinding;
    const refusedEmpty = await push([]);
    if (refusedEmpty !== undefined) {
      empty = { verdict: 'not testable', assumption: emptyQ, detail: `${refusedOver('an empty groups list', refusedEmpty)}; ask cidaas support whether an empty groups list removes the user's memberships` };
    } else {
      const ignored = await member(carrier.user.sub, holding);
      empty = emptyVerdict(emptyQ, holding, compat, ignored ? 'ignore' : 'clear', update);
      // One group only: an empty list that clears says the upsert replaces (a tenant that adds would keep it).
      if (second === undefined && !ignored) update = updateVerdict(updateQ, holding, undefined, compat.groups, 'replace');
    }

    const unknown = await unknownGroupFinding(d, unknownQ, { ...unknownUser, groups: inShape(carrier.shape, [first, missing]) }, first, missing);
    return [shapeFinding, update, empty, unknown];
  } finally {
    for (const sub of [...probes.map((p) => p.user.sub), unknownUser.sub]) {
      for (const g of groups) await d.client.removeFromGroup(g, sub).catch(() => undefined);
    }
  }
}

/** What the tenant does with a user naming a group it lacks (together with one it has): fails the user, or drops that membership. */
async function unknownGroupFinding(d: CanaryDeps, assumption: string, user: CidaasUser, known: string, missing: string): Promise<CanaryFinding> {
  const o = (await d.client.bulkUpsert([user]))[0];
  if (!o || o.status === 'FAILED') {
    return { verdict: 'confirmed', assumption, detail: `cidaas fails the user (${o?.message ?? 'no outcome'}): a user in a group missing from the tenant lands in the dead-letter list with none of its memberships; \`check\` finds such groups first` };
  }
  const held = membershipMap((await d.client.getUser(user.sub))?.groups);
  if (held.has(missing)) return { verdict: 'confirmed', assumption, detail: `cidaas took the user and shows a membership of group "${missing}" that does not exist; ask cidaas support what such a membership means` };
  return { verdict: 'confirmed', assumption, detail: `cidaas took the user and dropped the membership SILENTLY (${held.has(known) ? `kept "${known}"` : 'and the other one too'}): only \`check\` (which looks every mapped group up) keeps memberships from being lost; run it after every change to tenant.groups` };
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

function updateVerdict(assumption: string, left: string, kept: string | undefined, configured: Update, tenant: Update): CanaryFinding {
  const how = kept === undefined
    ? `the canary user pushed again with an empty groups list is no longer in group "${left}": the tenant replaces the memberships`
    : `the canary user in groups "${left}" and "${kept}", pushed again with "${kept}" alone, ${tenant === 'add' ? 'is still' : 'is no longer'} in group "${left}": the tenant ${tenant === 'add' ? 'only adds memberships' : 'replaces the memberships'}`;
  if (configured === tenant) return { verdict: 'confirmed', assumption, detail: how };
  const consequence = tenant === 'add'
    ? 'with replace, a membership removed in legacy would stay in cidaas (add removes it with one DELETE per group)'
    : 'with add, every updated user costs a needless read and every membership removed in legacy a needless DELETE call';
  return { verdict: 'refuted', assumption, detail: `${how}; ${consequence}`, setting: { key: 'groups', value: tenant } };
}

/**
 * Whether an empty list clears. Under `groups: add` (as configured, or as found) the DELETE path
 * removes every membership the list lacks anyway, so the setting changes nothing there.
 */
function emptyVerdict(assumption: string, group: string, compat: CidaasCompat, tenant: 'clear' | 'ignore', update: CanaryFinding): CanaryFinding {
  const how = `the canary user pushed again with an empty groups list ${tenant === 'ignore' ? 'is still' : 'is no longer'} in group "${group}": an empty list ${tenant === 'ignore' ? 'is ignored' : 'removes the memberships'}`;
  const configured = compat.emptyGroups ?? 'clear';
  const addWins = (update.setting?.key === 'groups' ? update.setting.value : compat.groups) === 'add';
  if (configured === tenant) return { verdict: 'confirmed', assumption, detail: how };
  if (addWins) return { verdict: 'confirmed', assumption, detail: `${how}; with groups: add the last membership is removed by DELETE either way, so this setting changes nothing` };
  const consequence = tenant === 'ignore'
    ? 'with clear, a user whose last group is removed in legacy would stay in it in cidaas (ignore removes it with DELETE, after reading the user back)'
    : 'with ignore, each user whose last group goes costs a needless read';
  return { verdict: 'refuted', assumption, detail: `${how}; ${consequence}`, setting: { key: 'emptyGroups', value: tenant } };
}

/** Up to two groupIds the mapping names that exist in the tenant, or why there is none to test with. */
async function existingGroups(d: CanaryDeps): Promise<string[] | { reason: string }> {
  const nameable = await nameableGroups(d.config, d.logger).catch((err: unknown) => ({ ok: false as const, reason: `cannot read the legacy groups: ${(err as Error).message}` }));
  if (!nameable.ok) return { reason: `${nameable.reason}; list them in users.groups.map so canary can pick one` };
  if (nameable.groupIds.length === 0) return { reason: 'the mapping names no group yet (the membership table is empty): run canary again once it has one' };
  const c = d.config.cidaas;
  const admin = new TenantAdminClient({ baseUrl: c.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, logger: d.logger.child({ component: 'cidaas' }), allowEmulator: c.allowEmulator });
  const found: string[] = [];
  try {
    for (const groupId of nameable.groupIds.slice(0, MAX_GROUPS_ASKED)) {
      if ((await admin.read('group', groupId, 3)) !== null) found.push(groupId);
      if (found.length === 2) break;
    }
    if (found.length > 0) return found;
  } catch (err) {
    return { reason: `cannot read the tenant's groups (${(err as Error).message}): grant client "${c.clientId}" the scope cidaas:groups_read, then run canary again` };
  } finally {
    await admin.close().catch(() => undefined);
  }
  const named = nameable.groupIds.slice(0, 5).join(', ') + (nameable.groupIds.length > 5 ? ', …' : '');
  return { reason: `none of the groups the mapping names (${named}) exists in the tenant yet, so canary could not test this: run \`cidaas-sync setup apply --config <this file>\` first (tenant.groups), then canary again` };
}
