import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorState } from './emulator-state.js';
import { accessDenied, referenceNumber, success, type Reply } from './envelopes.js';
import { parseJson } from './http-io.js';

/*
 * The cidaas admin APIs for tenant setup (fields, roles, group types, groups, social and custom
 * providers, apps), both generations, as strictly as cidaas documents them: required fields
 * (417), unknown scopes on an app (400 APP10061), duplicates (409, P10001 for providers), 204 for
 * an empty list, and the field-deletion hazard (deleting a field wipes its values on every user).
 */

/** How the emulated tenant's setup APIs behave. */
export interface SetupOptions {
  /** 3: GET /public-srv/version answers 3.x, apps at /apps-srv/clients; 4: version 404, apps at `appsPath4`. */
  readonly generation: 3 | 4;
  /** 4.x apps path (the docs say /apps-srv/apps, cidaas's own client calls /app-srv/apps). */
  readonly appsPath4: string;
  /** Bulk pushes drop customFields keys that are not set up and enabled, as cidaas does. */
  readonly strictFields: boolean;
}

/** The admin scopes a setup client needs (read and write). */
export const SETUP_SCOPES = [
  'cidaas:field_setup_read', 'cidaas:field_setup_write', 'cidaas:roles_read', 'cidaas:roles_write', 'cidaas:group_type_read', 'cidaas:group_type_write',
  'cidaas:groups_read', 'cidaas:groups_write', 'cidaas:providers_read', 'cidaas:providers_write', 'cidaas:apps_read', 'cidaas:apps_write',
] as const;

/** Scopes every tenant has; apps may name these or any created through the scope API. */
const BUILT_IN_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access', 'groups', 'roles', 'identities'];

type Obj = Record<string, unknown>;

/** The setup objects an emulated tenant holds. */
export class SetupStore {
  readonly fields = new Map<string, Obj>();
  readonly roles = new Map<string, Obj>();
  readonly groupTypes = new Map<string, Obj>();
  readonly groups = new Map<string, Obj>();
  /** Social providers by id. */
  readonly social = new Map<string, Obj>();
  /** 3.x custom providers by provider_name; 4.x providers by id. */
  readonly custom = new Map<string, Obj>();
  readonly apps = new Map<string, Obj>();
  readonly scopes = new Set(BUILT_IN_SCOPES);
  /** Every write and delete, `METHOD path`, for tests (what was changed, and that nothing was deleted). */
  readonly writes: string[] = [];

  constructor(readonly options: SetupOptions) {}

  /** Keys of the enabled custom fields: what a strict bulk keeps. */
  enabledFieldKeys(): ReadonlySet<string> {
    return new Set([...this.fields.values()].filter((f) => f['enabled'] !== false).map((f) => String(f['fieldKey'])));
  }

  clear(): void {
    for (const m of [this.fields, this.roles, this.groupTypes, this.groups, this.social, this.custom, this.apps]) m.clear();
    this.writes.length = 0;
  }
}

function setupError(status: number, message: string, code: string | number, extra: Obj = {}): Reply {
  return { status, body: { success: false, status, error: { code, type: 'SetupException', status, referenceNumber: referenceNumber(), error: message, ...extra } }, headers: { 'x-ref-number': referenceNumber() } };
}

const missing = (body: Obj, fields: string[]): string[] => fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
const list = (items: Obj[]): Reply => (items.length ? success(200, items) : { status: 204, body: undefined });

interface Call { method: string; path: string; query: URLSearchParams; body: Obj; store: SetupStore; gen: 3 | 4 }

function required(call: Call, fields: string[]): Reply | undefined {
  const m = missing(call.body, fields);
  return m.length ? setupError(417, `required field(s) missing: ${m.join(', ')}`, 417) : undefined;
}

function route(c: Call): Reply | undefined {
  const { method, path, store, body } = c;
  const tail = (prefix: string): string | undefined => (path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes('/') ? decodeURIComponent(path.slice(prefix.length)) : undefined);
  // Custom fields: POST upserts by fieldKey (201 created, 200 updated).
  if (path === '/fieldsetup-srv/fields' && method === 'POST') {
    const bad = required(c, ['fieldKey', 'dataType', 'fieldType', 'localeTexts']);
    if (bad) return bad;
    if (!Array.isArray(body['localeTexts']) || body['localeTexts'].length === 0) return setupError(400, 'localeTexts needs at least one entry', 400);
    const key = String(body['fieldKey']);
    const existed = store.fields.has(key);
    store.fields.set(key, { ...body, _id: store.fields.get(key)?.['_id'] ?? randomUUID() });
    return success(existed ? 200 : 201, store.fields.get(key));
  }
  const fieldKey = tail('/fieldsetup-srv/fields/');
  if (fieldKey !== undefined && method === 'GET') return store.fields.has(fieldKey) ? success(200, store.fields.get(fieldKey)) : setupError(404, 'field not found', 404);
  if (fieldKey !== undefined && method === 'DELETE') return { status: 0, body: fieldKey };
  if (path === '/fieldsetup-srv/graph/fields' && method === 'POST') return list([...store.fields.values()]);
  // Roles: POST upserts; `role` is immutable.
  if (path === '/roles-srv/role' && method === 'POST') {
    const bad = required(c, ['role', 'name']);
    if (bad) return bad;
    store.roles.set(String(body['role']), body);
    return success(200, body);
  }
  if (path === '/roles-srv/role' && method === 'GET') {
    const r = store.roles.get(c.query.get('role') ?? '');
    return r ? success(200, r) : setupError(404, 'role not found', 404);
  }
  // Group types and groups: POST creates (409 if there), PUT updates (404 if not).
  for (const [prefix, map, keyField, fields] of [
    ['/groups-srv/grouptypes', store.groupTypes, 'groupType', ['groupType', 'roleMode']],
    ['/groups-srv/usergroups', store.groups, 'groupId', ['groupId', 'groupName', 'groupType']],
  ] as const) {
    if (path === prefix && (method === 'POST' || method === 'PUT')) {
      const bad = required(c, [...fields]);
      if (bad) return bad;
      const key = String(body[keyField]);
      if (method === 'POST' && map.has(key)) return setupError(409, `${keyField} ${key} exists`, 409);
      if (method === 'PUT' && !map.has(key)) return setupError(404, `${keyField} ${key} not found`, 404);
      if (map === store.groups) {
        if (!store.groupTypes.has(String(body['groupType']))) return setupError(400, `groupType ${String(body['groupType'])} does not exist`, 400);
        const parent = String(body['parentId'] ?? 'root');
        if (parent !== 'root' && !store.groups.has(parent)) return setupError(400, `parent group ${parent} does not exist`, 400);
      }
      map.set(key, body);
      return success(method === 'POST' ? 201 : 200, body);
    }
  }
  if (path === '/groups-srv/grouptypes' && method === 'GET') {
    const t = store.groupTypes.get(c.query.get('groupType') ?? '');
    return t ? success(200, t) : setupError(404, 'group type not found', 404);
  }
  const groupId = tail('/groups-srv/usergroups/');
  if (groupId !== undefined && method === 'GET') return store.groups.has(groupId) ? success(200, store.groups.get(groupId)) : setupError(404, 'group not found', 404);
  // Social providers (both generations): create without id, update with it; names are unique.
  if (path === '/providers-srv/multi/providers' && method === 'POST') {
    const bad = required(c, ['provider_name', 'name', 'client_id', 'client_secret']);
    if (bad) return bad;
    const id = typeof body['id'] === 'string' ? body['id'] : undefined;
    const clash = [...store.social.values()].find((p) => p['name'] === body['name'] && p['id'] !== id);
    if (clash) return setupError(409, `provider name ${String(body['name'])} exists`, 'P10001');
    if (id !== undefined && !store.social.has(id)) return setupError(404, 'provider not found', 404);
    const saved = { ...body, id: id ?? randomUUID() };
    store.social.set(saved.id, saved);
    return success(id ? 200 : 201, saved);
  }
  if (path === '/providers-srv/multi/providers' && method === 'GET') {
    const name = c.query.get('name');
    return list([...store.social.values()].filter((p) => name === null || p['name'] === name));
  }
  // Custom providers, 3.x.
  if (c.gen === 3 && path === '/providers-srv/custom' && (method === 'POST' || method === 'PUT')) {
    const bad = required(c, ['provider_name', 'display_name', 'standard_type', 'client_id', 'client_secret', 'authorization_endpoint', 'token_endpoint']);
    if (bad) return bad;
    const key = String(body['provider_name']);
    if (method === 'POST' && store.custom.has(key)) return setupError(409, `provider ${key} exists`, 'P10001');
    if (method === 'PUT' && !store.custom.has(key)) return setupError(404, `provider ${key} not found`, 404);
    store.custom.set(key, body);
    return success(method === 'POST' ? 201 : 200, body);
  }
  const custom3 = c.gen === 3 ? tail('/providers-srv/custom/') : undefined;
  if (custom3 !== undefined && method === 'GET') return store.custom.has(custom3) ? success(200, store.custom.get(custom3)) : setupError(404, 'provider not found', 404);
  // Providers, 4.x.
  if (c.gen === 4 && path === '/providers-srv/providers' && method === 'POST') {
    const bad = required(c, ['provider_name', 'display_name', 'standard_type', 'oauth2']);
    if (bad) return bad;
    if ([...store.custom.values()].some((p) => p['provider_name'] === body['provider_name'])) return setupError(409, `provider ${String(body['provider_name'])} exists`, 'P10001');
    const saved = { ...body, id: randomUUID() };
    store.custom.set(saved.id, saved);
    return success(201, saved);
  }
  if (c.gen === 4 && path === '/providers-srv/providers' && method === 'GET') return list([...store.custom.values()]);
  const provider4 = c.gen === 4 ? tail('/providers-srv/providers/') : undefined;
  if (provider4 !== undefined && method === 'GET') return store.custom.has(provider4) ? success(200, store.custom.get(provider4)) : setupError(404, 'provider not found', 404);
  if (provider4 !== undefined && method === 'PUT') {
    if (!store.custom.has(provider4)) return setupError(404, 'provider not found', 404);
    store.custom.set(provider4, { ...body, id: provider4 });
    return success(200, store.custom.get(provider4));
  }
  return appRoute(c, tail);
}

function checkScopes(store: SetupStore, scopes: unknown): Reply | undefined {
  const unknown = (Array.isArray(scopes) ? scopes : []).filter((s) => !store.scopes.has(String(s)));
  return unknown.length ? setupError(400, `allowed_scopes not found in the tenant: ${unknown.join(', ')}`, 'APP10061') : undefined;
}

function appRoute(c: Call, tail: (prefix: string) => string | undefined): Reply | undefined {
  const { method, path, store, body } = c;
  if (c.gen === 3) {
    if (path === '/apps-srv/clients' && (method === 'POST' || method === 'PUT')) {
      const bad = required(c, ['client_name', 'client_type', 'company_name', 'company_address', 'company_website', 'allowed_scopes']);
      if (bad) return bad;
      const scopes = checkScopes(store, body['allowed_scopes']);
      if (scopes) return scopes;
      if (method === 'POST') {
        const id = typeof body['client_id'] === 'string' ? body['client_id'] : randomUUID();
        if (store.apps.has(id) || [...store.apps.values()].some((a) => a['client_name'] === body['client_name'])) return setupError(409, `app ${id} or its name exists`, 409);
        const saved = { ...body, client_id: id, client_secret: body['client_secret'] ?? randomBytes(24).toString('base64url'), _id: randomUUID() };
        store.apps.set(id, saved);
        return success(201, saved);
      }
      const existing = [...store.apps.values()].find((a) => a['_id'] === body['_id']);
      if (!existing) return setupError(404, 'app not found (PUT needs its _id)', 404);
      store.apps.set(String(existing['client_id']), { ...existing, ...body, client_id: existing['client_id'] });
      return success(200, store.apps.get(String(existing['client_id'])));
    }
    const id = tail('/apps-srv/clients/');
    if (id !== undefined && method === 'GET') return store.apps.has(id) ? success(200, store.apps.get(id)) : setupError(404, 'app not found', 404);
    return undefined;
  }
  const base = store.options.appsPath4;
  if (path === base && method === 'POST') {
    const bad = required(c, ['client_name', 'client_type']);
    if (bad) return bad;
    const scopes = checkScopes(store, (body['scopes'] as Obj | undefined)?.['allowed_scopes']);
    if (scopes) return scopes;
    const id = typeof body['client_id'] === 'string' ? body['client_id'] : randomUUID();
    if (store.apps.has(id)) return setupError(409, `app ${id} exists`, 409);
    // 4.x: a client_secret in the body is not a documented field; it is ignored.
    const { client_secret: _ignored, ...rest } = body;
    store.apps.set(id, { ...rest, client_id: id });
    return success(201, store.apps.get(id));
  }
  const secretFor = path.startsWith(`${base}/`) && path.endsWith('/secrets') ? decodeURIComponent(path.slice(base.length + 1, -'/secrets'.length)) : undefined;
  if (secretFor !== undefined && method === 'POST') {
    if (!store.apps.has(secretFor)) return setupError(404, 'app not found', 404);
    const secret = randomBytes(32).toString('base64url');
    store.apps.set(secretFor, { ...store.apps.get(secretFor), _secretDigest: secret.length });
    return success(201, { client_secret: secret });
  }
  const id = tail(`${base}/`);
  if (id !== undefined && method === 'GET') return store.apps.has(id) ? success(200, stripSecret(store.apps.get(id)!)) : setupError(404, 'app not found', 404);
  if (id !== undefined && method === 'PUT') {
    if (!store.apps.has(id)) return setupError(404, 'app not found', 404);
    const scopes = checkScopes(store, (body['scopes'] as Obj | undefined)?.['allowed_scopes']);
    if (scopes) return scopes;
    store.apps.set(id, { ...body, client_id: id });
    return success(200, stripSecret(store.apps.get(id)!));
  }
  return undefined;
}

/** DELETE /groups-srv/usergroups/{groupId}/users/{sub}: 200 removed, 404 when the user is not a member. */
function removeMembership(state: EmulatorState, groupId: string, sub: string): Reply {
  const user = state.store.get(sub);
  if (!user?.groups?.some((g) => g.groupId === groupId)) return setupError(404, 'user group map not found', 404);
  // groups-srv keeps memberships apart from the user record: its updatedTime stays.
  state.store.replace({ ...user, groups: Object.freeze(user.groups.filter((g) => g.groupId !== groupId)) });
  state.setup.writes.push(`DELETE /groups-srv/usergroups/${groupId}/users/${sub}`);
  return success(200, { removed: true });
}

function stripSecret(app: Obj): Obj {
  const { _secretDigest: _d, ...rest } = app;
  return rest;
}

const SCOPE_FOR: [RegExp, string][] = [
  [/^\/fieldsetup-srv\//, 'field_setup'], [/^\/roles-srv\//, 'roles'], [/^\/groups-srv\/grouptypes/, 'group_type'], [/^\/groups-srv\/usergroups/, 'groups'],
  [/^\/providers-srv\//, 'providers'], [/^\/(apps-srv|app-srv)\//, 'apps'],
];

/**
 * Answers a setup API request, or returns undefined when the path is not one (the caller then
 * tries the user APIs). `state.setup` holds the objects; every write is recorded.
 */
export function handleSetup(state: EmulatorState, method: string, url: URL, headers: IncomingHttpHeaders, raw: Buffer): Reply | undefined {
  const store = state.setup;
  const path = url.pathname;
  if (path === '/public-srv/version' && method === 'GET') {
    return store.options.generation === 3 ? success(200, { version: '3.100.4' }) : setupError(404, 'no endpoint GET /public-srv/version', 404);
  }
  const area = SCOPE_FOR.find(([re]) => re.test(path))?.[1];
  if (area === undefined) return undefined;
  const bearer = /^Bearer +(\S+)$/i.exec(headers.authorization ?? '');
  const claims = bearer ? state.tokens.verify(bearer[1]!) : undefined;
  if (!claims) return accessDenied();
  const scope = `cidaas:${area}_${method === 'GET' ? 'read' : 'write'}`;
  if (!claims.scopes.includes(scope)) return setupError(403, `the access token lacks the scope ${scope}`, 403);
  let body: Obj = {};
  if (raw.length) {
    const parsed = parseJson(raw);
    if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return setupError(400, 'the body must be a JSON object', 400);
    body = parsed.value as Obj;
  }
  const membership = /^\/groups-srv\/usergroups\/([^/]+)\/users\/([^/]+)$/.exec(path);
  if (membership && method === 'DELETE') return removeMembership(state, decodeURIComponent(membership[1]!), decodeURIComponent(membership[2]!));
  const reply = route({ method, path, query: url.searchParams, body, store, gen: store.options.generation });
  if (reply && reply.status === 0) {
    // DELETE of a field: allowed, and it wipes the field's values on every user (the hazard).
    const key = String(reply.body);
    if (!store.fields.delete(key)) return setupError(404, 'field not found', 404);
    store.writes.push(`${method} ${path}`);
    for (const sub of state.store.subs()) {
      const u = state.store.get(sub);
      if (u?.customFields && key in u.customFields) {
        const { [key]: _gone, ...rest } = u.customFields;
        state.store.replace({ ...u, customFields: rest });
      }
    }
    return success(200, { deleted: true });
  }
  if (reply && method !== 'GET' && reply.status < 300) store.writes.push(`${method} ${path}`);
  // An unknown route is the gateway's bare 404, not a service's error envelope (the apps path probe tells them apart).
  return reply ?? { status: 404, body: { error: `no endpoint ${method} ${path}` } };
}
