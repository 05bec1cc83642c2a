import type { Secret } from '../secret.js';
import { mfaToWire, type CidaasMfa, type CidaasMfaRecord } from './cidaas-mfa.js';
import type { CidaasUserGroups } from './user-groups.js';
import type { CidaasUserIdentity } from './user-identities.js';

/** `userStatus` of a cidaas user. Only VERIFIED users can log in. */
export type CidaasUserStatus = 'VERIFIED' | 'PENDING' | 'LOCKED' | 'DECLINED';

/**
 * A value of a tenant custom field: a string, number or boolean, or a list of them. This is the one
 * definition: the mapping module's `CidaasCustomFieldValue` and the emulator's are this type.
 */
export type CustomFieldValue = string | number | boolean | (string | number | boolean)[];

/** Parameters a password hash does not carry itself (PBKDF2 and salted SHA only). */
export interface PasswordHashData {
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
}

/**
 * `password_hash_info`, a migrated password hash: how cidaas verifies the user's legacy password
 * at the next login (docs/cidaas-api.md for the `algorithmTypeId` values and the hash format each
 * expects). The one definition, by the type of the hash: a {@link Secret} in the client (so it can
 * never reach a log line), a string while a hash is recognised (`password/`) and in the emulator,
 * either from a mapping module.
 */
export interface PasswordHashInfo<Hash = Secret> {
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
  passwordHash: Hash;
  hData?: PasswordHashData;
}

/**
 * The cidaas user entity of the bulk API (docs/cidaas-api.md, flat form, exact field names).
 * cidaas-sync always sends `sub`, the upsert key. Fields left out are kept as stored.
 */
export interface CidaasUser {
  /** The upsert key: a stable id derived from the legacy key. */
  sub: string;
  /** Default VERIFIED. */
  userStatus?: CidaasUserStatus;
  /** `self` for password users. */
  provider?: string;
  email?: string;
  email_verified?: boolean;
  /** E.164. */
  mobile_number?: string;
  mobile_number_verified?: boolean;
  username?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  locale?: string;
  /** `YYYY-MM-DD`. */
  birthdate?: string;
  /** Keys must exist in the tenant's field setup. */
  customFields?: Record<string, CustomFieldValue>;
  /** The user's group memberships; every groupId must exist in the tenant. ASSUMED shape: see user-groups.ts. */
  groups?: CidaasUserGroups;
  /** Linked social logins; every provider must exist in the tenant. ASSUMED shape: see user-identities.ts. */
  identities?: readonly CidaasUserIdentity[];
  password_hash_info?: PasswordHashInfo;
  mfa_enabled?: boolean;
  /** ASSUMED shape: see cidaas-mfa.ts. */
  mfa?: CidaasMfa;
  /** ISO 8601. */
  createdTime?: string;
  /** ISO 8601. */
  lastLoggedInTime?: string;
}

/**
 * A user as cidaas returns it on read (GET /user-srv/users/{sub} and search): the stored
 * fields without `password_hash_info` and the TOTP secret, plus `has_password`,
 * `createdTime` and `updatedTime`. Unknown fields are kept as returned.
 */
export interface CidaasUserRecord extends Omit<CidaasUser, 'password_hash_info' | 'mfa'> {
  has_password?: boolean;
  mfa?: CidaasMfaRecord;
  updatedTime?: string;
  [field: string]: unknown;
}

/**
 * The request-body form of a user. It reveals the password hash and TOTP secret, so its
 * result goes straight into `JSON.stringify` for the request body and nowhere else.
 */
export function userToWire(user: CidaasUser): Record<string, unknown> {
  // A loop rather than `const { password_hash_info, mfa, ...plain } = user`: the same object, at
  // less than half the CPU (rest properties with excluded keys take V8's slow path), and every
  // user pushed goes through here.
  const wire: Record<string, unknown> = {};
  const fields = user as unknown as Record<string, unknown>;
  for (const k in fields) if (k !== 'password_hash_info' && k !== 'mfa' && Object.hasOwn(fields, k)) wire[k] = fields[k];
  const pw = user.password_hash_info;
  if (pw) wire.password_hash_info = passwordToWire(pw);
  if (user.mfa) wire.mfa = mfaToWire(user.mfa);
  return wire;
}

/** The request-body form of `password_hash_info`. Reveals the hash: call only while building a request body (or sizing one). */
export function passwordToWire(pw: PasswordHashInfo): Record<string, unknown> {
  return {
    algorithmTypeId: pw.algorithmTypeId,
    passwordHash: pw.passwordHash.reveal(),
    ...(pw.hData ? { hData: pw.hData } : {}),
  };
}
