/**
 * The values legacy systems store in a password column to say "this user has no usable
 * password": the user logs in some other way (social login, SSO) or an admin blocked the
 * password. Such a value is not a hash to migrate, and not an error either: the user is
 * pushed without a password, and a password pushed earlier is revoked in cidaas.
 *
 * - Django `set_unusable_password()` stores `!` followed by 40 random characters
 *   (django/contrib/auth/hashers.py: UNUSABLE_PASSWORD_PREFIX = "!",
 *   UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40); older Django stored `!` alone.
 * - Unix shadow(5): `*` and `!` mean "no password login"; `!!` (useradd, never set) and a
 *   `!` in front of a hash (`passwd -l`, locked) too. Solaris writes `*LK*` and `*NP*`.
 * - NULL, an empty or blank value.
 *
 * A `*` followed by 40 hex digits is a MySQL native password hash, not a marker.
 */

/** Why a stored value means "no usable password": the marker's kind, never the value. */
export type NoPasswordMarker = 'empty' | 'django-unusable' | 'unix-locked' | 'unix-no-login';

const MYSQL_NATIVE = /^\*[0-9A-Fa-f]{40}$/;

/** The marker `value` is, or undefined when it may be a hash. `null`/`undefined` count as empty. */
export function noPasswordMarker(value: string | null | undefined): NoPasswordMarker | undefined {
  if (value === null || value === undefined) return 'empty';
  const s = value.trim();
  if (s === '') return 'empty';
  if (s.startsWith('!')) {
    // Django's marker is "!" + 40 characters of [A-Za-z0-9]; "!!" and "!<hash>" are shadow(5).
    return /^![A-Za-z0-9]{40}$/.test(s) || s === '!' ? 'django-unusable' : 'unix-locked';
  }
  if (s.startsWith('*') && !MYSQL_NATIVE.test(s)) return 'unix-no-login';
  return undefined;
}

/** A short description of a marker for logs and reasons (it names the kind, never the value). */
export function describeNoPasswordMarker(marker: NoPasswordMarker): string {
  switch (marker) {
    case 'empty': return 'no password (NULL or empty)';
    case 'django-unusable': return 'an unusable-password marker ("!", Django set_unusable_password)';
    case 'unix-locked': return 'a locked-password marker ("!", "!!" or "!<hash>", shadow(5))';
    case 'unix-no-login': return 'a no-login marker ("*", "*LK*", "*NP*", shadow(5))';
  }
}
