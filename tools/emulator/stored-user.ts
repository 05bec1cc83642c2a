import type { CidaasUserStatus, CustomFieldValue as EntityCustomFieldValue, PasswordHashInfo as EntityPasswordHashInfo } from '../../src/cidaas/cidaas-user.js';

/**
 * The user as the emulator stores it: the flat user entity of docs/cidaas-api.md (names
 * exact), plus `createdTime` and `updatedTime`. Stored objects are frozen and shared;
 * treat them as read-only.
 */

/** `userStatus` values; only VERIFIED can log in. */
export type UserStatus = CidaasUserStatus;

/** A `customFields` value (the entity's own type), stored read-only. */
export type CustomFieldValue = Readonly<EntityCustomFieldValue>;

/** The migrated password: the legacy hash, in the algorithm's format (see password-hash-format.ts), and how to check it. */
export type PasswordHashInfo = Readonly<EntityPasswordHashInfo<string>>;

/** The migrated TOTP setup (**ASSUMED** shape, see docs/cidaas-api.md). */
export interface TotpSetup {
  /** RFC 4648 base32, upper case. */
  readonly secret: string;
  readonly algorithm: 'SHA1';
  readonly digits: 6;
  readonly period: 30;
}

/** One group membership (**ASSUMED** shape, see docs/cidaas-api.md): the group and the user's roles in it. */
export interface GroupMembership {
  readonly groupId: string;
  readonly roles: readonly string[];
}

/** One linked social login (**ASSUMED** shape, see docs/cidaas-api.md). */
export interface SocialIdentity {
  readonly provider: string;
  readonly providerUserId: string;
}

/** `mfa`: `{}` means no TOTP. */
export interface MfaSetup {
  readonly totp?: TotpSetup;
}

/** One stored user, with its password hash and TOTP secret (never returned by the cidaas API). */
export interface StoredUser {
  readonly sub: string;
  readonly userStatus: UserStatus;
  readonly provider?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly mobile_number?: string;
  readonly mobile_number_verified?: boolean;
  readonly username?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly middle_name?: string;
  readonly nickname?: string;
  readonly locale?: string;
  readonly birthdate?: string;
  readonly customFields?: Readonly<Record<string, CustomFieldValue>>;
  /** Group memberships, sorted by groupId; every groupId exists in the tenant's groups. */
  readonly groups?: readonly GroupMembership[];
  /** Linked social logins, sorted; replaced whole by a push that carries them. */
  readonly identities?: readonly SocialIdentity[];
  readonly password_hash_info?: PasswordHashInfo;
  readonly mfa_enabled?: boolean;
  readonly mfa?: MfaSetup;
  /** ISO 8601: as sent when creating, else the time of creation. */
  readonly createdTime: string;
  readonly lastLoggedInTime?: string;
  /** ISO 8601: the time of the last create or update. */
  readonly updatedTime: string;
}

/**
 * The user as GET /user-srv/users/{sub} and search return it: no `password_hash_info`,
 * no TOTP secret; `has_password` and `mfa.totp.enrolled` instead.
 */
export type PublicUser = Omit<StoredUser, 'password_hash_info' | 'mfa'> & {
  readonly has_password: boolean;
  readonly mfa: {
    readonly totp: { readonly enrolled: boolean; readonly algorithm?: string; readonly digits?: number; readonly period?: number };
  };
};

/** Every field a bulk entity may carry, in the order records are built (one hidden class per field set). */
export const ENTITY_FIELDS = [
  'sub',
  'userStatus',
  'provider',
  'email',
  'email_verified',
  'mobile_number',
  'mobile_number_verified',
  'username',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'locale',
  'birthdate',
  'customFields',
  'groups',
  'identities',
  'password_hash_info',
  'mfa_enabled',
  'mfa',
  'createdTime',
  'lastLoggedInTime',
] as const;

/** Fields a stored record has on top of the entity fields. */
export const STORED_ONLY_FIELDS = ['updatedTime'] as const;

/** The public view of a stored user. */
export function toPublicUser(user: StoredUser): PublicUser {
  const { password_hash_info: hashInfo, mfa, ...rest } = user;
  const totp = mfa?.totp;
  return {
    ...rest,
    has_password: hashInfo !== undefined,
    mfa: {
      totp: totp ? { enrolled: true, algorithm: totp.algorithm, digits: totp.digits, period: totp.period } : { enrolled: false },
    },
  };
}
