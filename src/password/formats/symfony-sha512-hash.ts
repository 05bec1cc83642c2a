import { createHash } from 'node:crypto';
import { decodeBase64 } from '../hash-bytes.js';
import { equalBytes } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';

/*
 * Symfony's MessageDigestPasswordEncoder (Symfony 2-4, MessageDigestPasswordHasher since 5.3) with
 * its defaults, which is what FOSUserBundle's documented `encoders: FOS\UserBundle\Model\UserInterface:
 * sha512` gives: the salt merged as `password{salt}` (no braces when the salt is empty, or "0": PHP's
 * `!$salt`), sha512 of it, then 4,999 times sha512(digest + merged), base64 (88 characters). The salt
 * is the user row's own `salt` column, pushed as text in hData.salt. Other algorithms, iteration
 * counts or hex output are other settings of that class: a mapping module names a CUSTOM_ id for them.
 */

const ITERATIONS = 5000;
const DIGEST_BYTES = 64;

/** Symfony's mergePasswordAndSalt. */
function merged(password: string, salt: string | undefined): Buffer {
  return Buffer.from(salt === undefined || salt === '' || salt === '0' ? password : `${password}{${salt}}`, 'utf8');
}

/** MessageDigestPasswordHasher::hash with sha512, 5000 iterations: the raw digest. */
export function symfonySha512(password: string, salt: string | undefined): Buffer {
  const salted = merged(password, salt);
  let digest = createHash('sha512').update(salted).digest();
  for (let i = 1; i < ITERATIONS; i++) digest = createHash('sha512').update(digest).update(salted).digest();
  return digest;
}

export const symfonySha512Hash: CustomHashFormat = {
  id: CustomAlgorithm.symfonySha512,
  title: 'Symfony MessageDigestPasswordEncoder sha512, 5000 iterations, base64 (FOSUserBundle)',
  problem: (hash, salt) => {
    if (decodeBase64(hash)?.length !== DIGEST_BYTES) return 'not base64 of a 64-byte sha512 digest (88 characters)';
    // Symfony refuses such a salt ("Cannot use { or } in salt."): no password was ever hashed with one.
    if (salt !== undefined && /[{}]/.test(salt)) return 'a salt with { or }, which Symfony refuses';
    return undefined;
  },
  verify: (password, hash, salt) => Promise.resolve(equalBytes(symfonySha512(password, salt), decodeBase64(hash)!)),
};
