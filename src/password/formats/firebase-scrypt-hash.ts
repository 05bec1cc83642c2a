import { createCipheriv } from 'node:crypto';
import { decodeBase64 } from '../hash-bytes.js';
import { equalBytes } from './constant-time.js';
import { CustomAlgorithm } from './custom-algorithm.js';
import type { CustomHashFormat, FirebaseScryptParams } from './custom-hash-format.js';
import { scryptBytes } from './scrypt-hash.js';

/*
 * Firebase Auth's modified scrypt (https://github.com/firebase/scrypt):
 *   key  = scrypt(password, salt + saltSeparator, N = 2^memCost, r = rounds, p = 1, 32 bytes)
 *   hash = AES-256-CTR(key, iv = 16 zero bytes) over the project's signer key
 * passwordHash and hData.salt are the base64 `passwordHash` and `salt` of
 * `firebase auth:export`; the signer key, separator, rounds and mem cost are the
 * project's, from the verifier's configuration.
 */

function firebaseHash(password: string, salt: Buffer, params: FirebaseScryptParams): Promise<Buffer> {
  const saltAndSeparator = Buffer.concat([salt, params.saltSeparator]);
  return scryptBytes(Buffer.from(password, 'utf8'), saltAndSeparator, 32, 2 ** params.memCost, params.rounds, 1).then((key) => {
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    return Buffer.concat([cipher.update(params.signerKey), cipher.final()]);
  });
}

/** Firebase Auth scrypt. */
export const firebaseScryptHash: CustomHashFormat = {
  id: CustomAlgorithm.firebaseScrypt,
  title: 'Firebase Auth modified scrypt',
  problem: (hash, salt, params) => {
    if (params.firebaseScrypt === undefined) {
      return 'CUSTOM_FIREBASE_SCRYPT needs the Firebase project\'s hash parameters: set verifier.firebaseScrypt in the configuration';
    }
    if (decodeBase64(hash) === undefined) return 'Firebase scrypt passwordHash is not base64';
    if (salt === undefined || decodeBase64(salt) === undefined) return 'Firebase scrypt needs hData.salt, the user\'s base64 salt';
    return undefined;
  },
  verify: async (password, hash, salt, params) => {
    const computed = await firebaseHash(password, decodeBase64(salt!)!, params.firebaseScrypt!);
    return equalBytes(computed, decodeBase64(hash)!);
  },
};
