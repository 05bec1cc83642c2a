import type { Secret } from '../secret.js';
import { mfaToWire, type CidaasMfa, type CidaasMfaRecord } from './cidaas-mfa.js';

/** `userStatus` of a cidaas user. Only VERIFIED users can log in. */
export type CidaasUserStatus = 'VERIFIED' | 'PENDING' | 'LOCKED' | 'DECLINED';

/** A value of a tenant custom field. */
export type CustomFieldValue = string | number | boolean | (string | number | boolean)[];

/**
 * A migrated password hash. cidaas verifies the legacy hash on the user's first login.
 * See docs/cidaas-api.md for the `algorithmTypeId` values and the hash format each expects.
 */
export interface PasswordHashInfo {
  /** `BCRYPT_<cost>`, `PBKDF2_SHA256`, `PBKDF2_SHA1`, `ARGON2`, `SHA256`, `SHA1` or `CUSTOM_<name>`. */
  algorithmTypeId: string;
  /** The hash as the algorithm expects it. Held as a Secret so it can never reach a log line. */
  passwordHash: Secret;
  /**
   * Salt and iterations for PBKDF2 and salted SHA; `iterations` is a string on the wire.
   * `keylen`: the PBKDF2 derived key length in bytes, sent only when it is not the digest's size.
   */
  hData?: { salt?: string; iterations?: string; keylen?: string };
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
  const { password_hash_info: pw, mfa, ...plain } = user;
  const wire: Record<string, unknown> = { ...plain };
  if (pw) {
    wire.password_hash_info = {
      algorithmTypeId: pw.algorithmTypeId,
      passwordHash: pw.passwordHash.reveal(),
      ...(pw.hData ? { hData: pw.hData } : {}),
    };
  }
  if (mfa) wire.mfa = mfaToWire(mfa);
  return wire;
}
