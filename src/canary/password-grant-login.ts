import type { Secret } from '../secret.js';

/** Logs a user in with the password grant: true on 200, false when cidaas refuses (400/401), an Error otherwise. */
export type CanaryLogin = (username: string, password: string) => Promise<boolean>;

/**
 * The password grant (`grant_type=password`) of POST /token-srv/token for an app the
 * tenant allows it (`canary.loginClientId` / `loginClientSecret`): how the canary checks
 * that cidaas verifies a migrated hash. The token it gets is dropped unread.
 */
export function passwordGrantLogin(baseUrl: string, clientId: string, clientSecret: Secret | undefined, timeoutMs = 15_000): CanaryLogin {
  const url = new URL('token-srv/token', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return async (username, password) => {
    const form = new URLSearchParams({ grant_type: 'password', username, password, client_id: clientId });
    if (clientSecret) form.set('client_secret', clientSecret.reveal());
    const res = await fetch(url, {
      method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    if (res.status === 200) return true;
    if (res.status === 400 || res.status === 401) return false;
    throw new Error(`the password grant answered HTTP ${res.status}${res.headers.get('x-ref-number') ? ` [X-Ref-Number ${res.headers.get('x-ref-number')}]` : ''}`);
  };
}
