import { verifyTotp } from '../totp.js';
import type { EmulatorState } from './emulator-state.js';
import { SeedError } from './emulator-state.js';
import type { Reply } from './envelopes.js';
import { serviceError, success } from './envelopes.js';
import { FaultRuleError } from './fault-injector.js';
import { isObject, parseJson } from './http-io.js';
import { checkCustomPassword } from './custom-password-delegate.js';
import { verifyPassword } from './password-verifier.js';
import type { StoredUser } from './stored-user.js';

/**
 * The emulator's own endpoints (docs/cidaas-api.md, last section): no token, JSON bodies
 * whatever the Content-Type, answers in the success envelope except login and totp
 * (`{"ok": ...}`) and stats (the {@link EmulatorStats} object itself).
 */

const USERS_PAGE_DEFAULT = 1000;
const USERS_PAGE_MAX = 10_000;

function badRequest(message: string): Reply {
  return serviceError(400, 'EmulatorException', message, 400);
}

function readJson(body: Buffer): { value: unknown } | Reply {
  const parsed = parseJson(body);
  return parsed.ok ? { value: parsed.value } : badRequest('malformed body: not JSON');
}

function findUser(state: EmulatorState, input: Record<string, unknown>): StoredUser | undefined {
  if (typeof input['sub'] === 'string') return state.store.get(input['sub']);
  if (typeof input['email'] === 'string') return state.store.findByEmail(input['email']);
  return undefined;
}

async function login(state: EmulatorState, input: Record<string, unknown>): Promise<Reply> {
  if (typeof input['password'] !== 'string') return badRequest('password must be a string');
  if (typeof input['sub'] !== 'string' && typeof input['email'] !== 'string') return badRequest('give sub or email');
  const user = findUser(state, input);
  if (!user) return { status: 200, body: { ok: false, reason: 'unknown user' } };
  if (!user.password_hash_info) return { status: 200, body: { ok: false, reason: 'the user has no password' } };
  let check: { ok: boolean; reason?: string };
  try {
    check = user.password_hash_info.algorithmTypeId.startsWith('CUSTOM_')
      ? await checkCustomPassword(state, user, user.password_hash_info, input['password'])
      : await verifyPassword(user.password_hash_info, input['password'], state.config.variant.saltEncoding);
  } catch {
    check = { ok: false, reason: 'the stored hash could not be checked' };
  }
  if (check.ok && user.userStatus !== 'VERIFIED') return { status: 200, body: { ok: false, reason: `userStatus is ${user.userStatus}` } };
  return { status: 200, body: check.ok ? { ok: true } : { ok: false, reason: check.reason ?? 'wrong password' } };
}

function totp(state: EmulatorState, input: Record<string, unknown>): Reply {
  if (typeof input['code'] !== 'string') return badRequest('code must be a string of 6 digits');
  if (typeof input['sub'] !== 'string') return badRequest('sub must be a string');
  const secret = state.store.get(input['sub'])?.mfa?.totp?.secret;
  if (secret === undefined) return { status: 200, body: { ok: false, reason: 'no TOTP enrolled for this sub' } };
  return { status: 200, body: { ok: verifyTotp(secret, input['code']) } };
}

/** POST /token-srv/introspect (RFC 7662 shape): `token` in a JSON or form body. */
function introspect(state: EmulatorState, body: Buffer): Reply {
  const parsed = parseJson(body);
  const token = parsed.ok && isObject(parsed.value) ? parsed.value['token'] : new URLSearchParams(body.toString('utf8')).get('token');
  const claims = typeof token === 'string' ? state.tokens.verify(token) : undefined;
  if (!claims) return { status: 200, body: { active: false } };
  return { status: 200, body: { active: true, iss: claims.iss, aud: claims.aud, sub: claims.sub, exp: claims.exp, iat: claims.iat, scope: claims.scopes.join(' ') } };
}

/** Handles a request under /_emulator (and /.well-known/jwks.json, /token-srv/introspect). */
export async function handleAdmin(state: EmulatorState, method: string, url: URL, body: Buffer): Promise<Reply> {
  const path = url.pathname;
  const route = `${method} ${path.startsWith('/_emulator/users/') ? '/_emulator/users/{sub}' : path}`;
  switch (route) {
    case 'GET /.well-known/jwks.json':
      return { status: 200, body: state.tokens.jwks() };
    case 'POST /token-srv/introspect':
      return introspect(state, body);
    case 'GET /_emulator/stats':
      return { status: 200, body: state.snapshot() };
    case 'GET /_emulator/replicas':
      return { status: 200, body: state.replicas.report() };
    case 'POST /_emulator/reset':
      state.reset();
      return success(200, { reset: true });
    case 'GET /_emulator/users': {
      const after = url.searchParams.get('after') ?? undefined;
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? USERS_PAGE_DEFAULT : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > USERS_PAGE_MAX) return badRequest(`limit must be an integer 1..${USERS_PAGE_MAX}`);
      const users = state.store.page(after, limit);
      return success(200, users, { next: users.length === limit ? users[users.length - 1]!.sub : null });
    }
    case 'GET /_emulator/users/{sub}': {
      let sub: string;
      try {
        sub = decodeURIComponent(path.slice('/_emulator/users/'.length));
      } catch {
        return badRequest('the sub in the path is not URL-encoded correctly');
      }
      const user = state.store.get(sub);
      return user ? success(200, user) : serviceError(404, 'UsersException', 'user not found', 404);
    }
    case 'POST /_emulator/users': {
      const json = readJson(body);
      if (!('value' in json)) return json;
      const users = isObject(json.value) ? json.value['users'] : json.value;
      if (!Array.isArray(users)) return badRequest('send an array of users or {"users": [...]}');
      try {
        return success(200, { seeded: state.seed(users) });
      } catch (err) {
        if (err instanceof SeedError) return badRequest(err.message);
        throw err;
      }
    }
    case 'POST /_emulator/faults': {
      const json = readJson(body);
      if (!('value' in json)) return json;
      const rules = isObject(json.value) ? json.value['rules'] : undefined;
      if (!Array.isArray(rules)) return badRequest('send {"rules": [...]}');
      try {
        state.faults.add(rules);
      } catch (err) {
        if (err instanceof FaultRuleError) return badRequest(err.message);
        throw err;
      }
      return success(200, { queued: rules.length, rules: state.faults.list() });
    }
    case 'GET /_emulator/faults':
      return success(200, state.faults.list());
    case 'DELETE /_emulator/faults':
      state.faults.clear();
      return success(200, { cleared: true });
    case 'POST /_emulator/login':
    case 'POST /_emulator/totp': {
      const json = readJson(body);
      if (!('value' in json)) return json;
      if (!isObject(json.value)) return badRequest('the body must be a JSON object');
      return route === 'POST /_emulator/login' ? login(state, json.value) : totp(state, json.value);
    }
    default:
      return serviceError(404, 'EmulatorException', `no emulator endpoint ${method} ${path}`, 404);
  }
}
