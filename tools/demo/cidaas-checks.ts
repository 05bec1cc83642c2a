import { totpCode } from '../totp.js';

/** The answer of the emulator's login and TOTP checks. */
export interface CheckAnswer {
  readonly ok: boolean;
  readonly reason?: string;
}

/** POST /_emulator/login: does cidaas accept this password for `sub` (with the migrated hash)? */
export function checkLogin(cidaasUrl: string, sub: string, password: string): Promise<CheckAnswer> {
  return post(`${cidaasUrl}/_emulator/login`, { sub, password });
}

/** POST /_emulator/totp with the code an authenticator app shows now for `secretBase32`. */
export function checkTotp(cidaasUrl: string, sub: string, secretBase32: string): Promise<CheckAnswer> {
  return post(`${cidaasUrl}/_emulator/totp`, { sub, code: totpCode(secretBase32) });
}

async function post(url: string, body: Record<string, string>): Promise<CheckAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json: unknown = await res.json();
  if (!res.ok || typeof json !== 'object' || json === null || typeof (json as { ok?: unknown }).ok !== 'boolean') {
    throw new Error(`${url} answered ${res.status}`);
  }
  const answer = json as { ok: boolean; reason?: unknown };
  return typeof answer.reason === 'string' ? { ok: answer.ok, reason: answer.reason } : { ok: answer.ok };
}
