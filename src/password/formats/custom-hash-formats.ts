import type { CustomAlgorithmId } from './custom-algorithm.js';
import type { CustomHashFormat } from './custom-hash-format.js';
import { djangoBcryptSha256Hash } from './django-bcrypt-sha256-hash.js';
import { drupal7Hash } from './drupal7-hash.js';
import { firebaseScryptHash } from './firebase-scrypt-hash.js';
import { joomlaMd5Hash } from './joomla-hash.js';
import { ldapShaHash, ldapSsha256Hash, ldapSsha512Hash, ldapSshaHash } from './ldap-hash.js';
import { magento2Hash } from './magento2-hash.js';
import { md5CryptHash } from './md5-crypt-hash.js';
import { phpassHash } from './phpass-hash.js';
import {
  md5PasswordSaltHash,
  md5SaltPasswordHash,
  sha1PasswordSaltHash,
  sha1SaltPasswordHash,
  sha512PasswordSaltHash,
  sha512SaltPasswordHash,
} from './salted-digest-hash.js';
import { scryptHash } from './scrypt-hash.js';
import { sha256CryptHash, sha512CryptHash } from './sha-crypt-hash.js';
import { symfonySha512Hash } from './symfony-sha512-hash.js';
import { wordpressBcryptHash } from './wordpress-bcrypt-hash.js';

/** Every format the verification service checks, one per {@link CustomAlgorithm} id. */
export const CUSTOM_HASH_FORMATS: readonly CustomHashFormat[] = [
  phpassHash,
  drupal7Hash,
  md5CryptHash,
  sha256CryptHash,
  sha512CryptHash,
  ldapShaHash,
  ldapSshaHash,
  ldapSsha256Hash,
  ldapSsha512Hash,
  djangoBcryptSha256Hash,
  scryptHash,
  firebaseScryptHash,
  joomlaMd5Hash,
  magento2Hash,
  md5PasswordSaltHash,
  md5SaltPasswordHash,
  sha1PasswordSaltHash,
  sha1SaltPasswordHash,
  sha512PasswordSaltHash,
  sha512SaltPasswordHash,
  wordpressBcryptHash,
  symfonySha512Hash,
];

const BY_ID = new Map<string, CustomHashFormat>(CUSTOM_HASH_FORMATS.map((f) => [f.id, f]));

/** The format for a `CUSTOM_` id, or undefined when the verifier does not know it. */
export function customHashFormat(id: string): CustomHashFormat | undefined {
  return BY_ID.get(id);
}

/** All ids, for messages. */
export function customAlgorithmIds(): CustomAlgorithmId[] {
  return CUSTOM_HASH_FORMATS.map((f) => f.id);
}
