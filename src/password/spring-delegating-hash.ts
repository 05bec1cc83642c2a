import { parseArgon2Hash } from './argon2-hash.js';
import { parseBcryptHash } from './bcrypt-hash.js';
import { toBase64 } from './hash-bytes.js';
import type { RecognizedHash } from './password-hash-info.js';
import { pbkdf2Keylen, type Pbkdf2AlgorithmTypeId } from './pbkdf2-hash.js';

/*
 * Spring Security's DelegatingPasswordEncoder stores `{id}encodedPassword`
 * (spring-security crypto/.../password/DelegatingPasswordEncoder.java); the ids are those
 * PasswordEncoderFactories.createDelegatingPasswordEncoder() registers, and `bcrypt` is the one
 * it encodes new passwords with. The id is case-sensitive there, so it is here.
 *
 * PBKDF2 (Pbkdf2PasswordEncoder.java) keeps no parameters in the value: hex of salt + derived
 * key, the salt fed to PBKDF2 as salt + secret. The factory's encoders have an empty secret:
 *   {pbkdf2}                      defaultsForSpringSecurity_v5_5: 8-byte salt, 185000 iterations,
 *                                 256-bit key, PBKDF2WithHmacSHA1
 *   {pbkdf2@SpringSecurity_v5_8}  defaultsForSpringSecurity_v5_8: 16-byte salt, 310000 iterations,
 *                                 256-bit key, PBKDF2WithHmacSHA256
 * A value of another length was made by an encoder the application built itself (a secret, other
 * iterations): nothing in the value says how, so it is refused with the reason.
 *
 * Reasons name the id only, never the value: `{noop}` is the plaintext password itself.
 */

interface SpringPbkdf2 {
  readonly algorithmTypeId: Pbkdf2AlgorithmTypeId;
  readonly saltBytes: number;
  readonly iterations: number;
  readonly keyBytes: number;
  readonly defaults: string;
}

const PBKDF2: Record<string, SpringPbkdf2> = {
  pbkdf2: { algorithmTypeId: 'PBKDF2_SHA1', saltBytes: 8, iterations: 185_000, keyBytes: 32, defaults: 'defaultsForSpringSecurity_v5_5' },
  'pbkdf2@SpringSecurity_v5_8': { algorithmTypeId: 'PBKDF2_SHA256', saltBytes: 16, iterations: 310_000, keyBytes: 32, defaults: 'defaultsForSpringSecurity_v5_8' },
};

/** The ids whose encoders cidaas has no algorithm for, each with what to do. */
const NOT_MIGRATABLE: Record<string, string> = {
  noop: 'a plaintext password (NoOpPasswordEncoder): cidaas takes only hashes; re-encode these rows as {bcrypt} in legacy (Spring reads both; README "Passwords", Spring Security), or users reset their password',
  scrypt: 'Spring\'s own scrypt layout, which neither cidaas nor the verifier checks: users reset their password, or the application re-encodes it as {bcrypt} at login (DelegatingPasswordEncoder.upgradeEncoding)',
  'scrypt@SpringSecurity_v5_8': 'Spring\'s own scrypt layout, which neither cidaas nor the verifier checks: users reset their password, or the application re-encodes it as {bcrypt} at login (DelegatingPasswordEncoder.upgradeEncoding)',
  sha256: 'StandardPasswordEncoder (1024 rounds of salted SHA-256), which cidaas does not check: users reset their password, or the application re-encodes it as {bcrypt} at login (DelegatingPasswordEncoder.upgradeEncoding)',
  MD4: 'an MD4 digest, which cidaas does not check: users reset their password, or the application re-encodes it at login',
  MD5: 'Spring\'s salted MD5 digest, which cidaas does not check: users reset their password, or the application re-encodes it at login',
  'SHA-1': 'Spring\'s salted SHA-1 digest ({salt}hex), which cidaas does not check: users reset their password, or the application re-encodes it at login',
  'SHA-256': 'Spring\'s salted SHA-256 digest ({salt}hex), which cidaas does not check: users reset their password, or the application re-encodes it at login',
  ldap: 'LdapShaPasswordEncoder, not read by algorithm: auto: users reset their password, or the application re-encodes it at login',
};

const SPRING_ID = /^\{(bcrypt|argon2|argon2@SpringSecurity_v5_8|pbkdf2|pbkdf2@SpringSecurity_v5_8|noop|scrypt|scrypt@SpringSecurity_v5_8|sha256|MD4|MD5|SHA-1|SHA-256|ldap)\}/;

/**
 * Reads a Spring Security DelegatingPasswordEncoder value: `{bcrypt}` as `BCRYPT_<cost>`,
 * `{argon2}` as `ARGON2`, `{pbkdf2}` and `{pbkdf2@SpringSecurity_v5_8}` with the factory's
 * parameters as `PBKDF2_SHA1` (keylen 32) and `PBKDF2_SHA256`; the other ids come back with a
 * reason saying what a user can do.
 *
 * @returns undefined when `hash` does not start with one of the factory's `{id}`s.
 */
export function parseSpringDelegatingHash(hash: string): RecognizedHash | undefined {
  const head = SPRING_ID.exec(hash);
  if (!head) return undefined;
  const id = head[1] as string;
  const rest = hash.slice(head[0].length);
  const what = `Spring Security {${id}}`;
  if (id === 'bcrypt') return parseBcryptHash(rest) ?? { ok: false, reason: `${what} value does not hold a bcrypt hash ($2a$, $2b$, $2y$) after the id` };
  if (id.startsWith('argon2')) return parseArgon2Hash(rest) ?? { ok: false, reason: `${what} value does not hold an argon2 PHC string after the id` };
  const pbkdf2 = PBKDF2[id];
  if (pbkdf2 !== undefined) return springPbkdf2(what, pbkdf2, rest);
  return { ok: false, reason: `${what}: ${NOT_MIGRATABLE[id] ?? 'not migratable'}` };
}

function springPbkdf2(what: string, p: SpringPbkdf2, hex: string): RecognizedHash {
  const chars = 2 * (p.saltBytes + p.keyBytes);
  if (hex.length !== chars || !/^[0-9a-fA-F]+$/.test(hex)) {
    return {
      ok: false,
      reason: `${what} value is not ${chars} hex characters (the salt and key of Pbkdf2PasswordEncoder.${p.defaults}()): made by an encoder with a secret, other sizes or base64, which the value does not describe; a mapping module can set password_hash_info with the application's parameters`,
    };
  }
  const bytes = Buffer.from(hex, 'hex');
  const keylen = pbkdf2Keylen(p.algorithmTypeId, p.keyBytes) ?? {};
  return {
    ok: true,
    info: {
      algorithmTypeId: p.algorithmTypeId,
      passwordHash: toBase64(bytes.subarray(p.saltBytes)),
      hData: { salt: toBase64(bytes.subarray(0, p.saltBytes)), iterations: String(p.iterations), ...keylen },
    },
  };
}
