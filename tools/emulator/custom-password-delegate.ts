import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { EmulatorState } from './emulator-state.js';
import type { PasswordCheck } from './password-verifier.js';
import type { PasswordHashInfo, StoredUser } from './stored-user.js';

const pbkdf2Async = promisify(pbkdf2);

/** Lifetime of the token the emulator hands the verification service: one login. */
const TOKEN_TTL_SECONDS = 300;
const TIMEOUT_MS = 30_000;
/** What the emulator re-hashes a verified password with (cidaas uses its own algorithm; this one the emulator can check). */
const REHASH = { algorithmTypeId: 'PBKDF2_SHA256', iterations: 10_000, saltBytes: 16, keyBytes: 32 } as const;

/**
 * cidaas's side of "Custom password verification" (docs/cidaas-api.md): a CUSTOM_<name>
 * hash is checked by the customer's service at `verifierUrl?action=compare`, with a
 * bearer token the emulator issues (verifiable at its /.well-known/jwks.json and
 * /token-srv/introspect). After a verified login the password is re-hashed with the
 * emulator's own algorithm and stored, so the next login needs no service.
 */
export async function checkCustomPassword(state: EmulatorState, user: StoredUser, info: PasswordHashInfo, password: string): Promise<PasswordCheck> {
  const verifierUrl = state.config.verifierUrl;
  if (verifierUrl === undefined) return { ok: false, reason: 'no verifier configured' };
  const url = new URL(verifierUrl);
  url.searchParams.set('action', 'compare');
  const token = state.tokens.issue(state.config.scopes, TOKEN_TTL_SECONDS);
  let verified: unknown;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        passwordVerification: { passwordHash: info.passwordHash, ...(info.hData?.salt !== undefined ? { hData: { salt: info.hData.salt } } : {}) },
        password,
        algorithm: info.algorithmTypeId,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status !== 200) return { ok: false, reason: `the verifier answered ${res.status}` };
    verified = ((await res.json()) as { data?: { verified?: unknown } }).data?.verified;
  } catch {
    return { ok: false, reason: 'the verifier could not be reached' };
  }
  if (verified !== true) return { ok: false, reason: 'wrong password' };
  await rehash(state, user, password);
  return { ok: true };
}

async function rehash(state: EmulatorState, user: StoredUser, password: string): Promise<void> {
  const salt = randomBytes(REHASH.saltBytes);
  const key = await pbkdf2Async(password, salt, REHASH.iterations, REHASH.keyBytes, 'sha256');
  const current = state.store.get(user.sub);
  // The user may have been updated (or deleted) meanwhile: re-hash only the hash that was checked.
  if (current === undefined || current.password_hash_info !== user.password_hash_info) return;
  const info: PasswordHashInfo = Object.freeze({
    algorithmTypeId: REHASH.algorithmTypeId,
    passwordHash: key.toString('base64'),
    hData: Object.freeze({ salt: salt.toString('base64'), iterations: String(REHASH.iterations) }),
  });
  state.store.replace(Object.freeze({ ...current, password_hash_info: info }));
}
