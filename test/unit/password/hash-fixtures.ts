/**
 * Builders of real legacy password hashes, computed here with node:crypto, bcryptjs and
 * hash-wasm the way each legacy framework lays them out, and the PBKDF2 check the
 * emulator runs on what cidaas-sync sends.
 */
import { pbkdf2Sync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2d, argon2i, argon2id } from 'hash-wasm';
import type { PasswordHashInfo } from '../../../src/password/password-hash-info.js';

export const PASSWORD = 'correct horse battery staple';
/** A fixed 16-byte salt with bytes that give `+` and `/` in base64. */
export const SALT_BYTES = Buffer.from('fbeffe00017f80ff3e3f7e7fbfc0c1c2', 'hex');
const ITERATIONS = 1000;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
/** passlib's adapted base64: `.` for `+`, no padding. */
export const ab64 = (bytes: Uint8Array): string => b64(bytes).replace(/=+$/, '').replace(/\+/g, '.');

export function djangoPbkdf2(digest: 'sha256' | 'sha1', salt = 'seasaltY8kQ2Zz', iterations = ITERATIONS, password = PASSWORD): string {
  const derived = pbkdf2Sync(password, salt, iterations, digest === 'sha256' ? 32 : 20, digest);
  return `pbkdf2_${digest}$${iterations}$${salt}$${b64(derived)}`;
}

export function passlibPbkdf2(digest: 'sha256' | 'sha1' | 'sha512', salt = SALT_BYTES, iterations = ITERATIONS): string {
  const size = { sha256: 32, sha1: 20, sha512: 64 }[digest];
  const derived = pbkdf2Sync(PASSWORD, salt, iterations, size, digest);
  return `$pbkdf2${digest === 'sha1' ? '' : `-${digest}`}$${iterations}$${ab64(salt)}$${ab64(derived)}`;
}

/** ASP.NET Core Identity v3: 0x01 | prf | iterations | salt length | salt | subkey (uint32 big-endian). */
export function aspNetV3(prf: 0 | 1 | 2, salt = SALT_BYTES, iterations = ITERATIONS, subkeyLength = 32): { hash: string; subkey: Buffer } {
  const digest = (['sha1', 'sha256', 'sha512'] as const)[prf];
  const subkey = pbkdf2Sync(PASSWORD, salt, iterations, subkeyLength, digest);
  const header = Buffer.alloc(13);
  header[0] = 0x01;
  header.writeUInt32BE(prf, 1);
  header.writeUInt32BE(iterations, 5);
  header.writeUInt32BE(salt.length, 9);
  return { hash: b64(Buffer.concat([header, salt, subkey])), subkey };
}

/** ASP.NET Identity v2: 0x00 | 16-byte salt | 32-byte PBKDF2-HMAC-SHA1 subkey, 1000 iterations. */
export function aspNetV2(salt = SALT_BYTES): { hash: string; subkey: Buffer } {
  const subkey = pbkdf2Sync(PASSWORD, salt, 1000, 32, 'sha1');
  return { hash: b64(Buffer.concat([Buffer.from([0x00]), salt, subkey])), subkey };
}

export function bcryptHash(cost = 4): string {
  return bcrypt.hashSync(PASSWORD, cost);
}

export async function argon2Hash(variant: 'id' | 'i' | 'd'): Promise<string> {
  const fn = { id: argon2id, i: argon2i, d: argon2d }[variant];
  return fn({ password: PASSWORD, salt: SALT_BYTES, parallelism: 1, iterations: 2, memorySize: 64, hashLength: 32, outputType: 'encoded' });
}

/**
 * The emulator's PBKDF2 check under the ASSUMED salt convention:
 * pbkdf2(password, base64decode(hData.salt), iterations, len(base64decode(hash)), digest).
 */
export function pbkdf2Verifies(info: PasswordHashInfo, password = PASSWORD): boolean {
  const digest = { PBKDF2_SHA256: 'sha256', PBKDF2_SHA1: 'sha1', PBKDF2_SHA512: 'sha512' }[info.algorithmTypeId as 'PBKDF2_SHA256' | 'PBKDF2_SHA1' | 'PBKDF2_SHA512'];
  const salt = info.hData?.salt;
  const iterations = info.hData?.iterations;
  if (digest === undefined || salt === undefined || iterations === undefined) return false;
  const expected = Buffer.from(info.passwordHash, 'base64');
  const keylen = info.hData?.keylen === undefined ? expected.length : Number(info.hData.keylen);
  const derived = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), keylen, digest);
  return expected.length > 0 && derived.equals(expected);
}
