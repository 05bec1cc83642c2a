import { z } from 'zod';
import { Secret } from '../secret.js';
import type { Logger } from '../observability/logger.js';
import type { CidaasTransport } from './cidaas-transport.js';
import { authFailed, cidaasErrorText, protocolError } from './cidaas-errors.js';
import { SyncError } from '../errors.js';

/** Renew a token once this share of its lifetime has passed (docs/cidaas-api.md: at 90% of `expires_in`). */
const RENEW_AT = 0.9;

const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
});

/** RFC 6749 §5.2 errors that mean the client id or secret is wrong. */
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant']);

interface CachedToken {
  token: Secret;
  renewAt: number;
}

/**
 * The client-credentials access token of one cidaas client: fetched on first use,
 * cached, renewed at 90% of its lifetime or when cidaas rejects it, and shared by
 * concurrent callers (they wait for one token request, never start several).
 */
export class TokenProvider {
  readonly #transport: CidaasTransport;
  readonly #clientId: string;
  readonly #clientSecret: Secret;
  readonly #logger: Logger;
  #cached: CachedToken | undefined;
  #pending: Promise<Secret> | undefined;

  constructor(transport: CidaasTransport, clientId: string, clientSecret: Secret, logger: Logger) {
    this.#transport = transport;
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
    this.#logger = logger;
  }

  /** A valid access token: the cached one, or a new one when none is cached or it is due for renewal. */
  async token(): Promise<Secret> {
    if (this.#cached && Date.now() < this.#cached.renewAt) return this.#cached.token;
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /**
   * Forgets `token` after cidaas answered 401 to it. A token already replaced by another
   * caller's renewal is left alone, so that a burst of 401s costs one renewal.
   */
  invalidate(token: Secret): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  /** The scopes in the current token's JWT payload (`scopes`, or a space-separated `scope`). Not verified: it is our own token. */
  async scopes(): Promise<string[]> {
    const token = await this.token();
    const payload = decodeJwtPayload(token.reveal());
    if (payload === undefined) throw protocolError('token', 200, 'the access_token is not a JWT with a JSON payload');
    if (Array.isArray(payload.scopes)) return payload.scopes.filter((s): s is string => typeof s === 'string');
    if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
    return [];
  }

  async #fetch(): Promise<Secret> {
    const startedAt = Date.now();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#clientId,
      client_secret: this.#clientSecret.reveal(),
    }).toString();
    const reply = await this.#transport.exchange({
      endpoint: 'token',
      method: 'POST',
      path: '/token-srv/token',
      contentType: 'application/x-www-form-urlencoded',
      body,
    });
    if (reply.status === 200) {
      const parsed = tokenResponse.safeParse(reply.body);
      if (!parsed.success) throw protocolError('token', reply.status, 'no access_token in the response');
      const token = new Secret(parsed.data.access_token);
      const lifetimeS = parsed.data.expires_in ?? jwtLifetimeS(parsed.data.access_token) ?? 3600;
      // Measured from the request's start: a slow answer must not push renewal past expiry.
      this.#cached = { token, renewAt: startedAt + lifetimeS * 1000 * RENEW_AT };
      this.#logger.debug('cidaas access token issued', { expiresInS: lifetimeS });
      return token;
    }
    const detail = this.#scrub(cidaasErrorText(reply.body) ?? `HTTP ${reply.status}`);
    const code = (reply.body as { error?: unknown } | undefined)?.error;
    if (reply.status === 401 || (typeof code === 'string' && CREDENTIAL_ERRORS.has(code))) throw authFailed(this.#clientId, detail);
    if (code === 'invalid_scope') {
      throw new SyncError('CIDAAS_SCOPE_MISSING', `cidaas refused the scopes requested for client "${this.#clientId}" (${detail})`, {
        hint: 'ask cidaas support (support@cidaas.com) to grant this client the scopes cidaas-sync needs (cidaas:bulk_user_create, cidaas:users_delete, cidaas:users_read)',
      });
    }
    throw protocolError('token', reply.status, detail);
  }

  /** cidaas's error text should never echo the secret; if it did, this keeps it out of our message. */
  #scrub(text: string): string {
    const secret = this.#clientSecret.reveal();
    return secret ? text.split(secret).join('[redacted]') : text;
  }
}

function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function jwtLifetimeS(jwt: string): number | undefined {
  const exp = decodeJwtPayload(jwt)?.exp;
  return typeof exp === 'number' ? Math.max(0, exp - Date.now() / 1000) : undefined;
}
