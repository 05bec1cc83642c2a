/**
 * What a reason may say about a password hash: its format prefix and nothing more.
 *
 * Recognised shapes, each at most 16 characters and made only of identifier
 * characters, so no salt or hash material can slip in:
 * - `$id$` (modular crypt, PHC, passlib): `$2b$`, `$P$`, `$argon2id$`, `$pbkdf2-sha512$`;
 * - `id$` (Django): `pbkdf2_sha256$`, `bcrypt_sha256$`, `unsalted_md5$`;
 * - `{ID}` (LDAP, Atlassian): `{SSHA}`, `{PKCS5S2}`.
 * Anything else is described by its length alone.
 *
 * @returns `prefix "$P$"` or `no recognisable prefix, 40 characters`.
 */
export function describeHashPrefix(hash: string): string {
  const prefix = hashPrefix(hash);
  return prefix === undefined
    ? `no recognisable prefix, ${hash.trim().length} characters`
    : `prefix "${prefix}"`;
}

/** The format prefix of `hash` (see {@link describeHashPrefix}), or undefined. */
export function hashPrefix(hash: string): string | undefined {
  const s = hash.trim();
  const match =
    /^\$[A-Za-z0-9_-]{1,14}\$/.exec(s) ?? /^[a-z][a-z0-9_]{0,14}\$/.exec(s) ?? /^\{[A-Za-z0-9_-]{1,14}\}/.exec(s);
  return match?.[0];
}
