import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { argon2Verify } from 'hash-wasm';
import type { PasswordHashInfo } from './stored-user.js';

const pbkdf2Async = promisify(pbkdf2);
const PBKDF2_DIGESTS: Readonly<Record<string, string>> = { PBKDF2_SHA256: 'sha256', PBKDF2_SHA1: 'sha1', PBKDF2_SHA512: 'sha512' };

/** The result of a login check; `reason` says why it failed. */
export interface PasswordCheck {
  readonly ok: boolean;
  readonly reason?: string;
}

function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a password against a migrated hash, with these conventions (the emulator's;
 * docs/cidaas-api.md leaves them open):
 * - BCRYPT_n: standard bcrypt (`$2y$` is the same algorithm as `$2b$`).
 * - `hData.salt` is standard base64 of the salt bytes (the ASSUMED convention written
 *   down in src/password/recognize-password-hash.ts).
 * - PBKDF2_SHA256 / PBKDF2_SHA1 / PBKDF2_SHA512: `passwordHash` = base64 of the derived key,
 *   pbkdf2(utf8(password), salt bytes, hData.iterations, hData.keylen or else the length of
 *   the decoded hash).
 * - SHA256 / SHA1: `passwordHash` = hex(sha(utf8(password) || salt bytes)); no salt = empty.
 * - ARGON2: the PHC string, verified with hash-wasm.
 * - CUSTOM_<name>: cannot be verified here (cidaas calls the customer's service): ok false.
 */
export async function verifyPassword(info: PasswordHashInfo, password: string, saltEncoding: 'base64' | 'text' = 'base64'): Promise<PasswordCheck> {
  const id = info.algorithmTypeId;
  const hash = info.passwordHash;
  // A tenant started with --salt-encoding text hashes with the salt's own UTF-8 bytes.
  const salt = Buffer.from(info.hData?.salt ?? '', saltEncoding === 'text' ? 'utf8' : 'base64');
  if (id.startsWith('BCRYPT_')) {
    return { ok: await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$')) };
  }
  const pbkdf2Digest = PBKDF2_DIGESTS[id];
  if (pbkdf2Digest !== undefined) {
    const expected = Buffer.from(hash, 'base64');
    // hData.keylen, when given, was checked against the hash's length at upsert.
    const keylen = info.hData?.keylen === undefined ? expected.length : Number(info.hData.keylen);
    const derived = await pbkdf2Async(password, salt, Number(info.hData?.iterations), keylen, pbkdf2Digest);
    return { ok: equalBytes(derived, expected) };
  }
  if (id === 'SHA256' || id === 'SHA1') {
    const digest = createHash(id === 'SHA256' ? 'sha256' : 'sha1').update(Buffer.from(password, 'utf8')).update(salt).digest();
    return { ok: equalBytes(digest, Buffer.from(hash.toLowerCase(), 'hex')) };
  }
  if (id === 'ARGON2') {
    try {
      return { ok: await argon2Verify({ password, hash }) };
    } catch {
      return { ok: false, reason: 'the argon2 hash could not be decoded' };
    }
  }
  return { ok: false, reason: `${id} cannot be verified by the emulator (cidaas delegates it to the customer's service)` };
}
