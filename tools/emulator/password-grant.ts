import { createHash, timingSafeEqual } from 'node:crypto';
import type { EmulatorState } from './emulator-state.js';
import type { Reply } from './envelopes.js';
import { oauthError } from './envelopes.js';
import { isForm, isJson, isObject, parseJson } from './http-io.js';
import { verifyPassword } from './password-verifier.js';

/** A `grant_type=password` token request. */
export interface PasswordGrant {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly username: string;
  readonly password: string;
}

/** The password grant in a token request body, or undefined for any other grant (the client credentials handler answers those). */
export function passwordGrantOf(contentType: string | undefined, body: Buffer): PasswordGrant | undefined {
  let params: Record<string, unknown> | undefined;
  if (isForm(contentType)) params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  else if (isJson(contentType)) {
    const parsed = parseJson(body);
    if (parsed.ok && isObject(parsed.value)) params = parsed.value;
  }
  if (params?.['grant_type'] !== 'password') return undefined;
  const str = (k: string): string => (typeof params[k] === 'string' ? params[k] : '');
  return { clientId: str('client_id'), clientSecret: typeof params['client_secret'] === 'string' ? params['client_secret'] : undefined, username: str('username'), password: str('password') };
}

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * POST /token-srv/token with `grant_type=password`, for the app given by
 * `--password-grant-client ID:SECRET`: 200 with a token when the username (an email or a
 * username) and password fit a VERIFIED user, 400 invalid_grant otherwise. Any other
 * client: unsupported_grant_type, as a tenant whose apps do not allow the grant.
 */
export async function handlePasswordGrant(state: EmulatorState, g: PasswordGrant): Promise<Reply> {
  const app = state.config.variant.passwordGrantClient;
  if (!app || g.clientId !== app.id) return oauthError('unsupported_grant_type', 'the password grant is not allowed for this client');
  if (!same(g.clientSecret ?? '', app.secret)) return oauthError('invalid_client', 'unknown client or wrong client secret');
  const user = state.store.findByEmail(g.username) ?? state.store.page(undefined, Number.MAX_SAFE_INTEGER).find((u) => u.username === g.username);
  const info = user?.password_hash_info;
  if (!user || !info || user.userStatus !== 'VERIFIED') return oauthError('invalid_grant', 'invalid username or password');
  const check = await verifyPassword(info, g.password, state.config.variant.saltEncoding).catch(() => ({ ok: false }));
  if (!check.ok) return oauthError('invalid_grant', 'invalid username or password');
  state.stats.tokensIssued++;
  const token = state.tokens.issue([], state.config.tokenTtlSeconds);
  return {
    status: 200,
    body: { access_token: token, token_type: 'Bearer', expires_in: state.config.tokenTtlSeconds, sub: user.sub },
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  };
}
