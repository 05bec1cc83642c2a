import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../../src/secret.js';
import type { Reply } from './envelopes.js';
import { oauthError } from './envelopes.js';
import { isForm, isJson, isObject, parseJson } from './http-io.js';
import type { TokenIssuer } from './token-issuer.js';

/** The one client the emulator knows and what it may do. */
export interface TokenClient {
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly scopes: readonly string[];
  readonly tokenTtlSeconds: number;
}

function sameSecret(given: string, expected: string): boolean {
  // Compare digests so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function readParams(contentType: string | undefined, body: Buffer): Map<string, string> | Reply {
  const params = new Map<string, string>();
  if (isForm(contentType)) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
    return params;
  }
  if (isJson(contentType)) {
    const parsed = parseJson(body);
    if (!parsed.ok || !isObject(parsed.value)) return oauthError('invalid_request', 'the body is not a JSON object');
    for (const [key, value] of Object.entries(parsed.value)) {
      if (typeof value !== 'string') return oauthError('invalid_request', `${key} must be a string`);
      params.set(key, value);
    }
    return params;
  }
  return oauthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded or application/json');
}

/**
 * POST /token-srv/token: the client credentials grant (RFC 6749 section 4.4). The
 * token's scopes are the client's, or their intersection with `scope` when given
 * (possibly empty: every API call is then answered 403).
 */
export function handleTokenRequest(contentType: string | undefined, body: Buffer, client: TokenClient, issuer: TokenIssuer): Reply {
  const params = readParams(contentType, body);
  if (!(params instanceof Map)) return params;
  const grantType = params.get('grant_type');
  if (grantType === undefined || grantType === '') return oauthError('invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') return oauthError('unsupported_grant_type', `grant_type ${grantType} is not supported; use client_credentials`);
  const clientId = params.get('client_id');
  const clientSecret = params.get('client_secret');
  if (!clientId || clientSecret === undefined) return oauthError('invalid_client', 'client_id and client_secret are required');
  if (clientId !== client.clientId || !sameSecret(clientSecret, client.clientSecret.reveal())) {
    return oauthError('invalid_client', 'unknown client or wrong client secret');
  }
  const requested = params.get('scope');
  const scopes =
    requested === undefined ? client.scopes : [...new Set(requested.split(/\s+/).filter((s) => s !== ''))].filter((s) => client.scopes.includes(s));
  const token = issuer.issue(scopes, client.tokenTtlSeconds);
  return {
    status: 200,
    body: { access_token: token, token_type: 'Bearer', expires_in: client.tokenTtlSeconds, sub: 'ANONYMOUS' },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}
