import type { PasswordHashInfo } from './stored-user.js';
import { isObject } from './http-io.js';
import type { UserRejection } from './user-rules.js';
import { reject } from './user-rules.js';

/**
 * Checks a `password_hash_info` the way docs/cidaas-api.md lists the accepted
 * `algorithmTypeId` values and their hash formats. Strict by design: a hash that
 * does not look like its algorithm fails the user, so a mapping bug shows up here
 * and not at the first login after cut-over. hData.salt, where the emulator uses it
 * (PBKDF2, SHA), is standard base64 of the salt bytes: the ASSUMED convention of
 * src/password/recognize-password-hash.ts, which the client follows.
 */

const BCRYPT_ID = /^BCRYPT_(\d{1,2})$/;
const BCRYPT_HASH = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// PHC string: $argon2id$v=19$m=65536,t=3,p=4$<salt b64>$<hash b64>; the v= part is absent in argon2 1.0 hashes.
const ARGON2_HASH = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;
const SHA_HEX: Record<string, RegExp> = { SHA256: /^[0-9a-fA-F]{64}$/, SHA1: /^[0-9a-fA-F]{40}$/ };
const CUSTOM_ID = /^CUSTOM_[A-Za-z0-9_]+$/;
const ITERATIONS = /^[1-9]\d{0,9}$/;
/** A PBKDF2 derived key shorter than this is a truncated or wrong value, not a key. */
const MIN_PBKDF2_KEY_BYTES = 16;
/** The derived key lengths `hData.keylen` may name (docs/cidaas-api.md Revision 2). */
const KEYLEN = { min: 16, max: 128 } as const;
/** The PBKDF2 algorithmTypeIds (PBKDF2_SHA512 ASSUMED, like the others' names). */
const PBKDF2_IDS = new Set(['PBKDF2_SHA256', 'PBKDF2_SHA1', 'PBKDF2_SHA512']);

// A million users share a handful of algorithm ids: keep one string per id.
const interned = new Map<string, string>();
function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 1000) interned.set(value, value);
  return value;
}

/** Validates a raw `password_hash_info`; returns the frozen, normalised value or the rule it breaks. */
export function checkPasswordHashInfo(raw: unknown, saltEncoding: 'base64' | 'text' = 'base64'): PasswordHashInfo | UserRejection {
  // A tenant that reads the salt as text takes any string (tenant-variant.ts).
  const saltOk = (s: string): boolean => saltEncoding === 'text' || BASE64.test(s);
  if (!isObject(raw)) return reject('invalid_password_hash_info', 'password_hash_info must be an object');
  for (const key of Object.keys(raw)) {
    if (key !== 'algorithmTypeId' && key !== 'passwordHash' && key !== 'hData') {
      return reject('invalid_password_hash_info', `unknown field "password_hash_info.${key}"`);
    }
  }
  const { algorithmTypeId: id, passwordHash: hash, hData } = raw;
  if (typeof id !== 'string' || id === '') return reject('invalid_password_hash_info', 'password_hash_info.algorithmTypeId must be a non-empty string');
  if (typeof hash !== 'string' || hash === '') return reject('invalid_password_hash_info', 'password_hash_info.passwordHash must be a non-empty string');

  let salt: string | undefined;
  let iterations: string | undefined;
  let keylen: string | undefined;
  if (hData !== undefined) {
    if (!isObject(hData)) return reject('invalid_password_hash_info', 'password_hash_info.hData must be an object');
    for (const [key, value] of Object.entries(hData)) {
      if (key !== 'salt' && key !== 'iterations' && key !== 'keylen') return reject('invalid_password_hash_info', `unknown field "password_hash_info.hData.${key}"`);
      if (typeof value !== 'string') return reject('invalid_password_hash_info', `password_hash_info.hData.${key} must be a string`);
    }
    salt = hData['salt'] as string | undefined;
    iterations = hData['iterations'] as string | undefined;
    keylen = hData['keylen'] as string | undefined;
  }
  if (keylen !== undefined && !PBKDF2_IDS.has(id)) return reject('invalid_password_hash_info', 'password_hash_info.hData.keylen is a PBKDF2 parameter');

  const mismatch = (why: string): UserRejection => reject('hash_format_mismatch', `passwordHash does not match algorithmTypeId ${id}: ${why}`);
  const bcrypt = BCRYPT_ID.exec(id);
  if (bcrypt) {
    const cost = Number(bcrypt[1]);
    if (cost < 4 || cost > 20) return reject('unsupported_algorithm', 'unsupported algorithmTypeId');
    const m = BCRYPT_HASH.exec(hash);
    if (!m) return mismatch('expected a 60-character $2a$/$2b$/$2y$ bcrypt hash');
    if (Number(m[1]) !== cost) return mismatch(`the hash has cost ${m[1]}`);
  } else if (PBKDF2_IDS.has(id)) {
    if (!BASE64.test(hash) || Buffer.from(hash, 'base64').length < MIN_PBKDF2_KEY_BYTES) {
      return mismatch(`expected the base64 derived key (at least ${MIN_PBKDF2_KEY_BYTES} bytes)`);
    }
    if (keylen !== undefined) {
      if (!/^\d{1,3}$/.test(keylen) || Number(keylen) < KEYLEN.min || Number(keylen) > KEYLEN.max) {
        return reject('invalid_keylen', `hData.keylen must be the derived key length in bytes, ${KEYLEN.min}..${KEYLEN.max}`);
      }
      const bytes = Buffer.from(hash, 'base64').length;
      if (Number(keylen) !== bytes) return mismatch(`hData.keylen is ${keylen} but the derived key has ${bytes} bytes`);
    }
    if (salt === undefined || salt === '' || iterations === undefined || !ITERATIONS.test(iterations)) {
      return reject('pbkdf2_hdata_missing', `${id} needs hData.salt (non-empty) and hData.iterations (a string of digits, e.g. "600000")`);
    }
    if (!saltOk(salt)) return reject('invalid_salt', 'hData.salt must be standard base64 of the salt bytes');
  } else if (id === 'ARGON2') {
    if (!ARGON2_HASH.test(hash)) return mismatch('expected a PHC string $argon2id$v=19$m=..,t=..,p=..$salt$hash');
  } else if (id === 'SHA256' || id === 'SHA1') {
    if (!SHA_HEX[id]!.test(hash)) return mismatch(`expected ${id === 'SHA256' ? 64 : 40} hex digits`);
    if (salt !== undefined && (salt === '' || !saltOk(salt))) return reject('invalid_salt', 'hData.salt must be standard base64 of the salt bytes');
  } else if (!CUSTOM_ID.test(id)) {
    return reject('unsupported_algorithm', 'unsupported algorithmTypeId');
  }

  const info: PasswordHashInfo =
    salt === undefined && iterations === undefined && keylen === undefined
      ? { algorithmTypeId: intern(id), passwordHash: hash }
      : {
          algorithmTypeId: intern(id),
          passwordHash: hash,
          hData: Object.freeze({
            ...(salt === undefined ? {} : { salt }),
            ...(iterations === undefined ? {} : { iterations: intern(iterations) }),
            ...(keylen === undefined ? {} : { keylen: intern(keylen) }),
          }),
        };
  return Object.freeze(info);
}
