import { createHash, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Decides whether a bearer token was issued by the configured cidaas tenant and is
 * still valid (docs/cidaas-api.md "Custom password verification": the service is secured
 * by OAuth2 against cidaas).
 *
 * - A JWT is checked against the tenant's `/.well-known/jwks.json` (cached; fetched
 *   again, at most every `jwksRefreshMs`, when a token names an unknown key), then its
 *   `iss` (must be the tenant) and `exp` (must be in the future; `nbf` if present).
 * - A token that is not a JWT, or whose key the JWKS does not hold, or when the JWKS
 *   cannot be fetched, is asked about at `POST /token-srv/introspect`; only
 *   `active: true` (with the tenant as `iss` when one is given, and an `exp` in the
 *   future when one is given) lets it through.
 * - A JWT whose signature fails against a known key, or from another issuer, is refused
 *   without asking.
 * Outcomes are cached by the token's SHA-256, never the token itself, until its expiry
 * (refusals for a minute), so a replayed token costs nothing and a flood of junk tokens
 * does not become a flood of introspection calls.
 */
export interface TenantTokenVerifierOptions {
  /** The tenant's base URL, without a trailing slash; also the expected `iss`. */
  tenant: string;
  /** Default 10 minutes. */
  jwksTtlMs?: number;
  /** Least time between two JWKS fetches for an unknown `kid`; default 30 s. */
  jwksRefreshMs?: number;
  /** Timeout of a call to the tenant; default 5 s. */
  timeoutMs?: number;
  now?: () => number;
}

/** Why a token was refused, for the log; never contains the token. */
export type TokenCheck = { ok: true } | { ok: false; reason: string; unavailable?: boolean };

const ALGORITHMS: Record<string, { hash: string; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
};
const CACHE_LIMIT = 10_000;
const REFUSAL_TTL_MS = 60_000;

interface Jwt {
  header: { alg?: unknown; kid?: unknown };
  claims: { iss?: unknown; exp?: unknown; nbf?: unknown };
  signingInput: Buffer;
  signature: Buffer;
}

function decodeJwt(token: string): Jwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Jwt['header'];
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Jwt['claims'];
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null) return undefined;
    return { header, claims, signingInput: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

export class TenantTokenVerifier {
  readonly #tenant: string;
  readonly #jwksTtlMs: number;
  readonly #jwksRefreshMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #keys = new Map<string, KeyObject>();
  #keysFetchedAt = -Infinity;
  /** Last fetch attempt, successful or not: a JWKS that is down is asked at most every jwksRefreshMs. */
  #keysTriedAt = -Infinity;
  #keysFetch: Promise<boolean> | undefined;
  readonly #cache = new Map<string, { ok: boolean; reason: string; until: number }>();

  constructor(options: TenantTokenVerifierOptions) {
    this.#tenant = options.tenant.replace(/\/+$/, '');
    this.#jwksTtlMs = options.jwksTtlMs ?? 600_000;
    this.#jwksRefreshMs = options.jwksRefreshMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** Checks the token of an `Authorization` header value (`Bearer <token>`). */
  async checkHeader(authorization: string | undefined): Promise<TokenCheck> {
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: authorization === undefined ? 'no bearer token' : 'the Authorization header is not "Bearer <token>"' };
    return this.check(m[1]!);
  }

  /** Checks one token. */
  async check(token: string): Promise<TokenCheck> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && now < cached.until) return cached.ok ? { ok: true } : { ok: false, reason: cached.reason };
    const outcome = await this.#checkFresh(token, now);
    if (!('unavailable' in outcome && outcome.unavailable)) this.#remember(key, outcome, now);
    return outcome;
  }

  async #checkFresh(token: string, now: number): Promise<TokenCheck & { until?: number }> {
    const jwt = decodeJwt(token);
    if (jwt === undefined) return this.#introspect(token, now);
    const alg = typeof jwt.header.alg === 'string' ? ALGORITHMS[jwt.header.alg] : undefined;
    if (alg === undefined) return { ok: false, reason: `token signed with an unsupported alg (${String(jwt.header.alg).slice(0, 10)})` };
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : '';
    let publicKey = await this.#key(kid, now, false);
    if (publicKey === undefined) publicKey = await this.#key(kid, now, true);
    if (publicKey === undefined) return this.#introspect(token, now);
    const signatureOk = verify(
      alg.hash,
      jwt.signingInput,
      alg.pss ? { key: publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 } : alg.ec ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey,
      jwt.signature,
    );
    if (!signatureOk) return { ok: false, reason: 'token signature does not verify against the tenant\'s key' };
    return this.#claims(jwt.claims, now);
  }

  #claims(claims: { iss?: unknown; exp?: unknown; nbf?: unknown }, now: number, requireExp = true): TokenCheck & { until?: number } {
    if (claims.iss !== undefined || requireExp) {
      if (typeof claims.iss !== 'string' || claims.iss.replace(/\/+$/, '') !== this.#tenant) return { ok: false, reason: 'token issued by another issuer' };
    }
    if (claims.exp === undefined && !requireExp) return { ok: true, until: now + REFUSAL_TTL_MS };
    if (typeof claims.exp !== 'number') return { ok: false, reason: 'token without an expiry' };
    if (now >= claims.exp * 1000) return { ok: false, reason: 'token expired' };
    if (typeof claims.nbf === 'number' && now + 30_000 < claims.nbf * 1000) return { ok: false, reason: 'token not valid yet' };
    return { ok: true, until: claims.exp * 1000 };
  }

  /** The key for `kid` from the cached JWKS; `refresh` fetches it again (rate-limited) first. */
  async #key(kid: string, now: number, refresh: boolean): Promise<KeyObject | undefined> {
    const mayRefresh = now - this.#keysTriedAt > this.#jwksRefreshMs;
    const stale = now - this.#keysFetchedAt > this.#jwksTtlMs;
    if (mayRefresh && (stale || refresh)) {
      this.#keysTriedAt = now;
      this.#keysFetch ??= this.#fetchKeys().finally(() => (this.#keysFetch = undefined));
      await this.#keysFetch;
    }
    return this.#keys.get(kid) ?? (kid === '' && this.#keys.size === 1 ? [...this.#keys.values()][0] : undefined);
  }

  async #fetchKeys(): Promise<boolean> {
    try {
      const res = await fetch(`${this.#tenant}/.well-known/jwks.json`, { signal: AbortSignal.timeout(this.#timeoutMs) });
      if (!res.ok) return false;
      const body = (await res.json()) as { keys?: unknown };
      const keys = new Map<string, KeyObject>();
      for (const jwk of Array.isArray(body.keys) ? body.keys : []) {
        if (typeof jwk !== 'object' || jwk === null) continue;
        try {
          keys.set(typeof (jwk as { kid?: unknown }).kid === 'string' ? (jwk as { kid: string }).kid : '', createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
        } catch {
          // A key type node cannot read is skipped; the others still count.
        }
      }
      this.#keys = keys;
      this.#keysFetchedAt = this.#now();
      return true;
    } catch {
      return false;
    }
  }

  async #introspect(token: string, now: number): Promise<TokenCheck & { until?: number }> {
    let body: { active?: unknown; iss?: unknown; exp?: unknown };
    try {
      const res = await fetch(`${this.#tenant}/token-srv/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!res.ok) return { ok: false, reason: `the tenant's introspection answered ${res.status}`, unavailable: res.status >= 500 };
      body = (await res.json()) as typeof body;
    } catch {
      return { ok: false, reason: 'the tenant could not be reached to check the token', unavailable: true };
    }
    if (body.active !== true) return { ok: false, reason: 'token not active at the tenant' };
    return this.#claims(body, now, false);
  }

  #remember(key: string, outcome: TokenCheck & { until?: number }, now: number): void {
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    const until = outcome.ok ? (outcome.until ?? now) : now + REFUSAL_TTL_MS;
    this.#cache.set(key, { ok: outcome.ok, reason: outcome.ok ? '' : outcome.reason, until });
  }
}
