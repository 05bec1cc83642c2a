import { createHash } from 'node:crypto';
import { equalBytes } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomAlgorithmId } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';
import { decodeHex } from '../hash-bytes.js';

/*
 * Hand-rolled schemes: hex digest(password + salt) or hex digest(salt + password), the
 * salt (text, as the legacy column holds it) in hData.salt. The id says the digest and
 * where the salt goes, so the verifier needs no per-deployment setting; an empty or
 * absent salt makes it a plain digest of the password.
 */

type Digest = 'md5' | 'sha1' | 'sha512';
const BYTES: Record<Digest, number> = { md5: 16, sha1: 20, sha512: 64 };

/** hex(digest(a + b)) of UTF-8 strings. */
export function saltedDigest(digest: Digest, first: string, second: string): Buffer {
  return createHash(digest).update(first, 'utf8').update(second, 'utf8').digest();
}

function format(digest: Digest, saltFirst: boolean, id: CustomAlgorithmId): CustomHashFormat {
  const order = saltFirst ? `${digest}(salt + password)` : `${digest}(password + salt)`;
  return {
    id,
    title: `hex ${order}`,
    problem: (hash) => (decodeHex(hash)?.length === BYTES[digest] ? undefined : `not a hex ${digest} digest (${BYTES[digest] * 2} hex digits)`),
    verify: (password, hash, salt = '') => {
      const computed = saltFirst ? saltedDigest(digest, salt, password) : saltedDigest(digest, password, salt);
      return Promise.resolve(equalBytes(computed, decodeHex(hash)!));
    },
  };
}

export const md5PasswordSaltHash = format('md5', false, CustomAlgorithm.md5PasswordSalt);
export const md5SaltPasswordHash = format('md5', true, CustomAlgorithm.md5SaltPassword);
export const sha1PasswordSaltHash = format('sha1', false, CustomAlgorithm.sha1PasswordSalt);
export const sha1SaltPasswordHash = format('sha1', true, CustomAlgorithm.sha1SaltPassword);
export const sha512PasswordSaltHash = format('sha512', false, CustomAlgorithm.sha512PasswordSalt);
export const sha512SaltPasswordHash = format('sha512', true, CustomAlgorithm.sha512SaltPassword);
