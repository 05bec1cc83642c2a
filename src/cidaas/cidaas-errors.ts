import { SyncError } from '../errors.js';
import type { CidaasEndpoint } from './cidaas-call-observer.js';

/**
 * The SyncErrors the cidaas client raises. Each message says what cidaas answered and
 * each hint says what to do; none contains a secret, a token, a password hash or a
 * request body (only cidaas's own error text, with any known secret cut out by the caller).
 */

/** The scope each endpoint needs, and the hint for when the client lacks it. */
const SCOPES: Record<Exclude<CidaasEndpoint, 'token'>, { scope: string; hint: string }> = {
  bulk: {
    scope: 'cidaas:bulk_user_create',
    hint: 'ask cidaas support (support@cidaas.com) to enable migration mode and the cidaas:bulk_user_create scope for this client',
  },
  purge: {
    scope: 'cidaas:users_delete',
    hint: 'ask cidaas support (support@cidaas.com) to grant the cidaas:users_delete scope to this client, or set cidaas.onDelete to lock or ignore',
  },
  user: {
    scope: 'cidaas:users_read',
    hint: 'ask cidaas support (support@cidaas.com) to grant the cidaas:users_read scope to this client (verify and cutover read users)',
  },
  search: {
    scope: 'cidaas:users_read or cidaas:users_search',
    hint: 'ask cidaas support (support@cidaas.com) to grant the cidaas:users_read (or cidaas:users_search) scope to this client (verify and cutover search users)',
  },
  bulkread: {
    scope: 'cidaas:users_search or cidaas:users_read',
    hint: 'ask cidaas support (support@cidaas.com) to grant the cidaas:users_search (or cidaas:users_read) scope to this client, or set cidaas.compat.search: get',
  },
  membership: {
    scope: 'cidaas:groups_write',
    hint: 'ask cidaas support (support@cidaas.com) to grant the cidaas:groups_write scope to this client (cidaas.compat.groups: add removes memberships one by one), or set cidaas.compat.groups: replace if the tenant replaces them',
  },
  schedule: {
    scope: 'cidaas:users_write',
    hint: 'ask cidaas support (support@cidaas.com) to grant the cidaas:users_write scope to this client, or set cidaas.compat.delete: purge',
  },
};

/** The scope an endpoint needs, for messages and `check`. */
export function requiredScope(endpoint: Exclude<CidaasEndpoint, 'token'>): string {
  return SCOPES[endpoint].scope;
}

/**
 * cidaas's error text from any of its error bodies: the service-error envelope
 * (`error.error`), the 401 body (`error`), the token endpoint's RFC 6749 body
 * (`error` + `error_description`), with the reference number cidaas support asks for.
 */
export function cidaasErrorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const e = b.error;
  if (typeof e === 'object' && e !== null) {
    const inner = e as Record<string, unknown>;
    const text = typeof inner.error === 'string' ? inner.error : typeof inner.message === 'string' ? inner.message : undefined;
    const ref = typeof inner.referenceNumber === 'string' ? ` (cidaas reference ${inner.referenceNumber})` : '';
    return text === undefined ? undefined : text + ref;
  }
  if (typeof e === 'string') {
    const desc = typeof b.error_description === 'string' && b.error_description ? `: ${b.error_description}` : '';
    const ref = typeof b.refnumber === 'string' ? ` (cidaas reference ${b.refnumber})` : '';
    return e + desc + ref;
  }
  return typeof b.message === 'string' ? b.message : undefined;
}

const CREDENTIALS_HINT =
  'check cidaas.clientId and cidaas.clientSecret in the config. The secret is usually referenced as ' +
  '${CIDAAS_CLIENT_SECRET} or ${file:/run/secrets/cidaas_client_secret}: make sure that variable or file holds ' +
  "this client's current secret (no stray quotes or newline) and that the client exists on cidaas.baseUrl's tenant";

/** The token endpoint refused the client credentials (invalid_client and the like). */
export function authFailed(clientId: string, detail: string): SyncError {
  return new SyncError('CIDAAS_AUTH_FAILED', `cidaas refused the credentials of client "${clientId}" at the token endpoint (${detail})`, {
    hint: CREDENTIALS_HINT,
  });
}

/** cidaas answered 401 to a token it had just issued. */
export function tokenRejected(clientId: string, endpoint: CidaasEndpoint, detail: string): SyncError {
  return new SyncError(
    'CIDAAS_AUTH_FAILED',
    `cidaas rejected a freshly issued access token of client "${clientId}" on ${endpoint} with 401 (${detail})`,
    { hint: `${CREDENTIALS_HINT}; if they are right, ask cidaas support (support@cidaas.com) why the tenant rejects this client's tokens` },
  );
}

/** A 403: the token lacks the scope the endpoint needs. */
export function scopeMissing(clientId: string, endpoint: Exclude<CidaasEndpoint, 'token'>, detail: string): SyncError {
  const { scope, hint } = SCOPES[endpoint];
  return new SyncError('CIDAAS_SCOPE_MISSING', `client "${clientId}" lacks the scope ${scope} that ${endpoint} needs: cidaas answered 403 (${detail})`, { hint });
}

/** The retry budget ran out on transient failures: the caller keeps its users dirty and tries again later. */
export function exhausted(endpoint: CidaasEndpoint, attempts: number, reason: string, throttled: boolean, cause?: unknown): SyncError {
  if (throttled) {
    return new SyncError('CIDAAS_RATE_LIMITED', `cidaas kept rate-limiting ${endpoint} (429) through ${attempts} attempts`, {
      transient: true,
      cause,
      hint: 'nothing is lost: the users stay dirty and are sent again later. If this persists, lower cidaas.concurrency or ask cidaas support about the rate limit of this client',
    });
  }
  return new SyncError('CIDAAS_UNAVAILABLE', `cidaas did not answer ${endpoint} usably in ${attempts} attempts (last: ${reason})`, {
    transient: true,
    cause,
    hint: 'nothing is lost: the users stay dirty and are sent again later. Check that cidaas.baseUrl is reachable from here and that the tenant is up',
  });
}

/** cidaas answered with a status or body this client does not understand. */
export function protocolError(endpoint: CidaasEndpoint, status: number, what: string): SyncError {
  return new SyncError('CIDAAS_PROTOCOL', `cidaas answered ${endpoint} with HTTP ${status} and a body cidaas-sync does not understand: ${what}`, {
    hint: 'check that cidaas.baseUrl is the tenant URL (https://<tenant>.cidaas.eu, no path) and not a proxy or login page; if it is, report this with the cidaas reference number',
  });
}

/** cidaas refused a request for a reason resending cannot fix. */
export function rejected(endpoint: CidaasEndpoint, status: number, detail: string, hint: string): SyncError {
  return new SyncError('CIDAAS_REJECTED', `cidaas refused ${endpoint} with HTTP ${status}: ${detail}`, { hint });
}
