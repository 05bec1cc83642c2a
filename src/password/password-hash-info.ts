import type { NoPasswordMarker } from './no-password-marker.js';

/**
 * The `password_hash_info` of a cidaas user entity: how cidaas verifies the user's
 * legacy password at the next login (see docs/cidaas-api.md).
 *
 * It holds a password hash: wrap it in a `Secret` before it goes anywhere near a log
 * line or an error message.
 */
export interface PasswordHashInfo {
  /**
   * The cidaas algorithm: `BCRYPT_<4..20>`, `PBKDF2_SHA256`, `PBKDF2_SHA1`, `ARGON2`,
   * `SHA256`, `SHA1` or `CUSTOM_<name>`.
   */
  algorithmTypeId: string;
  /**
   * The hash in the form cidaas checks for that algorithm: the full modular-crypt string
   * for bcrypt, the PHC string for argon2, standard padded base64 of the derived key for
   * PBKDF2, lowercase hex for SHA256/SHA1, anything for CUSTOM_<name>.
   */
  passwordHash: string;
  /** Parameters the hash itself does not carry (PBKDF2 and salted SHA only). */
  hData?: {
    /**
     * Standard padded base64 of the salt BYTES, for every algorithm cidaas verifies
     * itself (Django's text salt becomes base64 of its UTF-8 bytes). **ASSUMED**: the
     * convention is set out once, at the top of `recognize-password-hash.ts`.
     * For `CUSTOM_<name>` the salt is passed as the legacy database holds it.
     */
    salt?: string;
    /** The PBKDF2 iteration count, as a decimal string (cidaas wants a string). */
    iterations?: string;
    /**
     * The PBKDF2 derived key length in bytes, as a decimal string like `iterations`; only when it
     * is not the digest's own size (Keycloak derives 64 bytes with SHA-256). cidaas's docs name
     * the field `keylen` (docs/cidaas-api.md Revision 2); sending it as a string is ASSUMED.
     */
    keylen?: string;
  };
}

/**
 * The outcome of turning a legacy hash into a {@link PasswordHashInfo}: the info, or
 * why not. A `reason` names at most the format's prefix (such as `$P$` or
 * `pbkdf2_sha256$`), never the hash, so it may go into logs and dead-letter entries.
 */
export type RecognizedHash =
  | { ok: true; info: PasswordHashInfo }
  /** `noPassword`: the value is a "no usable password" marker (no-password-marker.ts), not a hash. */
  | { ok: false; reason: string; noPassword?: NoPasswordMarker };
