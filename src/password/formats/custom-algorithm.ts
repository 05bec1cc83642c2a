/**
 * The `CUSTOM_<name>` algorithmTypeId of every legacy format cidaas cannot check itself.
 * Decided here once: the recognisers push these ids, the verification service
 * (`cidaas-sync verifier`) answers for exactly these ids, and the README lists them.
 * Renaming one strands every user already migrated with it: add, never rename.
 */
export const CustomAlgorithm = {
  /** phpass portable hashes `$P$` / `$H$` (WordPress before 6.8, phpBB 3, Joomla 2.5-3). */
  phpass: 'CUSTOM_PHPASS',
  /** Drupal 7 `$S$` (SHA-512 phpass variant) and its `U$` re-hashed Drupal 6 MD5s. */
  drupal7: 'CUSTOM_DRUPAL7',
  /** crypt(3) md5-crypt `$1$`. */
  md5Crypt: 'CUSTOM_MD5_CRYPT',
  /** crypt(3) sha256-crypt `$5$` (optional `rounds=`). */
  sha256Crypt: 'CUSTOM_SHA256_CRYPT',
  /** crypt(3) sha512-crypt `$6$` (optional `rounds=`). */
  sha512Crypt: 'CUSTOM_SHA512_CRYPT',
  /** LDAP / RFC 2307 `{SHA}`: base64(sha1(password)). */
  ldapSha: 'CUSTOM_LDAP_SHA',
  /** LDAP `{SSHA}`: base64(sha1(password + salt) + salt). */
  ldapSsha: 'CUSTOM_LDAP_SSHA',
  /** LDAP `{SSHA256}`: base64(sha256(password + salt) + salt). */
  ldapSsha256: 'CUSTOM_LDAP_SSHA256',
  /** LDAP `{SSHA512}`: base64(sha512(password + salt) + salt). */
  ldapSsha512: 'CUSTOM_LDAP_SSHA512',
  /** Django `bcrypt_sha256$`: bcrypt of hex(sha256(password)). */
  djangoBcryptSha256: 'CUSTOM_DJANGO_BCRYPT_SHA256',
  /** Django `scrypt$N$salt$r$p$hash`. */
  scrypt: 'CUSTOM_SCRYPT',
  /** Firebase Auth's modified scrypt; the project parameters are the verifier's configuration. */
  firebaseScrypt: 'CUSTOM_FIREBASE_SCRYPT',
  /** Joomla 1.5-3 `md5hex:salt`: md5(password + salt). */
  joomlaMd5: 'CUSTOM_JOOMLA_MD5',
  /** Magento 2 `hash:salt:version` (0 md5, 1 sha256, 2 / 3_32_2_67108864 argon2id13). */
  magento2: 'CUSTOM_MAGENTO2',
  /** Hex md5(password + salt); the salt in hData.salt, as text. */
  md5PasswordSalt: 'CUSTOM_MD5_PASSWORD_SALT',
  /** Hex md5(salt + password). */
  md5SaltPassword: 'CUSTOM_MD5_SALT_PASSWORD',
  /** Hex sha1(password + salt). */
  sha1PasswordSalt: 'CUSTOM_SHA1_PASSWORD_SALT',
  /** Hex sha1(salt + password). */
  sha1SaltPassword: 'CUSTOM_SHA1_SALT_PASSWORD',
  /** Hex sha512(password + salt). */
  sha512PasswordSalt: 'CUSTOM_SHA512_PASSWORD_SALT',
  /** Hex sha512(salt + password). */
  sha512SaltPassword: 'CUSTOM_SHA512_SALT_PASSWORD',
  /** WordPress 6.8+ `$wp$2y$`: bcrypt of base64(HMAC-SHA384(password, "wp-sha384")). */
  wordpressBcrypt: 'CUSTOM_WORDPRESS_BCRYPT',
  /** Symfony MessageDigestPasswordEncoder defaults (FOSUserBundle `sha512`): base64 of sha512 x5000 over `password{salt}`. */
  symfonySha512: 'CUSTOM_SYMFONY_SHA512',
} as const;

/** One of the {@link CustomAlgorithm} ids. */
export type CustomAlgorithmId = (typeof CustomAlgorithm)[keyof typeof CustomAlgorithm];

const IDS: ReadonlySet<string> = new Set(Object.values(CustomAlgorithm));

/** True when `id` is a `CUSTOM_` id this product pushes and its verifier checks. */
export function isCustomAlgorithmId(id: string): id is CustomAlgorithmId {
  return IDS.has(id);
}
