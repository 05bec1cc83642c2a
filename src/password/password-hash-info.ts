import type { PasswordHashInfo as EntityPasswordHashInfo } from '../cidaas/cidaas-user.js';
import type { NoPasswordMarker } from './no-password-marker.js';

/**
 * The `password_hash_info` of a cidaas user entity while a legacy hash is recognised: the hash
 * as a string (see the entity's own definition in cidaas/cidaas-user.ts). Wrap it in a `Secret`
 * before it goes anywhere near a log line or an error message.
 */
export type PasswordHashInfo = EntityPasswordHashInfo<string>;

/**
 * The outcome of turning a legacy hash into a {@link PasswordHashInfo}: the info, or
 * why not. A `reason` names at most the format's prefix (such as `$P$` or
 * `pbkdf2_sha256$`), never the hash, so it may go into logs and dead-letter entries.
 */
export type RecognizedHash =
  | { ok: true; info: PasswordHashInfo }
  /** `noPassword`: the value is a "no usable password" marker (no-password-marker.ts), not a hash. */
  | { ok: false; reason: string; noPassword?: NoPasswordMarker };
