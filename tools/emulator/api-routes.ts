import type { IncomingHttpHeaders } from 'node:http';
import { handleBulk } from './bulk-handler.js';
import type { EmulatorState } from './emulator-state.js';
import type { Reply } from './envelopes.js';
import { accessDenied, ErrorCodes, serviceError, success } from './envelopes.js';
import { parseJson } from './http-io.js';
import { toPublicUser } from './stored-user.js';
import { handleTokenRequest } from './token-endpoint.js';
import { parseSearchQuery, searchUsers } from './user-search.js';
import { handleBulkRead } from './bulk-read.js';
import { handlePasswordGrant, passwordGrantOf } from './password-grant.js';

/** The scopes of docs/cidaas-api.md. */
export const Scopes = {
  bulkUserCreate: 'cidaas:bulk_user_create',
  usersDelete: 'cidaas:users_delete',
  usersRead: 'cidaas:users_read',
  usersSearch: 'cidaas:users_search',
  usersWrite: 'cidaas:users_write',
} as const;

/** What a route handler gets: the state, the path parameter, the raw request. */
interface ApiCall {
  readonly state: EmulatorState;
  readonly param: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One cidaas endpoint. */
interface ApiRoute {
  readonly method: string;
  /** The path, or the prefix before the one `{sub}` parameter. */
  readonly path: string;
  readonly hasParam: boolean;
  /** Stats key, e.g. `GET /user-srv/users/{sub}`. */
  readonly endpoint: string;
  /** The token must carry one of these; undefined = no token needed. */
  readonly scopes: readonly string[] | undefined;
  handle(call: ApiCall): Reply | Promise<Reply>;
}

function userNotFound(): Reply {
  return serviceError(404, 'UsersException', 'user not found', ErrorCodes.userNotFound);
}

const ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST', path: '/token-srv/token', hasParam: false, endpoint: 'POST /token-srv/token', scopes: undefined,
    handle: ({ state, headers, body }) => {
      const { clientId, clientSecret, scopes, tokenTtlSeconds } = state.config;
      const grant = passwordGrantOf(headers['content-type'], body);
      if (grant) return handlePasswordGrant(state, grant);
      const reply = handleTokenRequest(headers['content-type'], body, { clientId, clientSecret, scopes, tokenTtlSeconds }, state.tokens);
      if (reply.status === 200) state.stats.tokensIssued++;
      return reply;
    },
  },
  {
    method: 'POST', path: '/users-srv/user/bulk', hasParam: false, endpoint: 'POST /users-srv/user/bulk', scopes: [Scopes.bulkUserCreate],
    handle: ({ state, headers, body }) => handleBulk(state, headers['content-type'], body),
  },
  {
    method: 'DELETE', path: '/users-srv/user/purge/', hasParam: true, endpoint: 'DELETE /users-srv/user/purge/{sub}', scopes: [Scopes.usersDelete],
    handle: ({ state, param }) => {
      if (!state.store.delete(param)) return userNotFound();
      state.stats.deleted++;
      return success(202, { deleted: true });
    },
  },
  {
    // cidaas 4.x scheduled deletion; the emulator deletes at once.
    method: 'POST', path: '/users-srv/user/unregister/scheduler/schedule/', hasParam: true,
    endpoint: 'POST /users-srv/user/unregister/scheduler/schedule/{sub}', scopes: [Scopes.usersWrite, Scopes.usersDelete],
    handle: ({ state, param }) => {
      if (!state.store.delete(param)) return userNotFound();
      state.stats.deleted++;
      return success(200, { scheduled: true });
    },
  },
  {
    method: 'POST', path: '/user-ext-srv/bulkread/users', hasParam: false, endpoint: 'POST /user-ext-srv/bulkread/users', scopes: [Scopes.usersSearch, Scopes.usersRead],
    handle: ({ state, body }) => handleBulkRead(state, body),
  },
  {
    method: 'GET', path: '/user-srv/users/', hasParam: true, endpoint: 'GET /user-srv/users/{sub}', scopes: [Scopes.usersRead],
    handle: ({ state, param }) => {
      const user = state.store.get(param);
      return user ? success(200, toPublicUser(user)) : userNotFound();
    },
  },
  {
    method: 'POST', path: '/user-srv/graph/users', hasParam: false, endpoint: 'POST /user-srv/graph/users', scopes: [Scopes.usersRead, Scopes.usersSearch],
    handle: ({ state, body }) => {
      const parsed = parseJson(body);
      const query = parsed.ok ? parseSearchQuery(parsed.value) : 'malformed body: not JSON';
      if (typeof query === 'string') return serviceError(400, 'UsersException', query, ErrorCodes.invalidRequest);
      const { users, total } = searchUsers(state.store, query);
      // cidaas answers 204 with no body when nothing matches.
      if (users.length === 0) return { status: 204, body: undefined };
      return success(200, users.map(toPublicUser), { total });
    },
  },
];

/** A matched route and its decoded path parameter. */
export interface RouteMatch {
  readonly route: ApiRoute;
  readonly param: string;
}

/** Finds the cidaas endpoint for a request; undefined for anything else. */
export function matchApiRoute(method: string, path: string): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    if (!route.hasParam) {
      if (path === route.path) return { route, param: '' };
      continue;
    }
    if (!path.startsWith(route.path)) continue;
    const raw = path.slice(route.path.length);
    if (raw === '' || raw.includes('/')) continue;
    try {
      return { route, param: decodeURIComponent(raw) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Checks the bearer token and scope, then runs the route. */
export function runApiRoute(state: EmulatorState, match: RouteMatch, headers: IncomingHttpHeaders, body: Buffer): Reply | Promise<Reply> {
  const { route, param } = match;
  if (route.scopes !== undefined) {
    const bearer = /^Bearer +(\S+)$/i.exec(headers.authorization ?? '');
    const claims = bearer ? state.tokens.verify(bearer[1]!) : undefined;
    if (!claims) return accessDenied();
    if (!route.scopes.some((scope) => claims.scopes.includes(scope))) {
      return serviceError(403, 'AuthorizationException', `the access token lacks the scope ${route.scopes.join(' or ')}`, ErrorCodes.authorization);
    }
  }
  return route.handle({ state, param, headers, body });
}
