import type { Secret } from '../src/secret.js';

/** The states cidaas knows for a user; only VERIFIED can log in. */
export type CidaasUserStatus = 'VERIFIED' | 'PENDING' | 'LOCKED' | 'DECLINED';

/** A value cidaas accepts in `customFields`. */
export type CidaasCustomFieldValue = string | number | boolean | string[];

/**
 * How cidaas verifies a migrated password (`password_hash_info` in the bulk API).
 * The translator fills `passwordHash` with a {@link Secret}; a mapping module may
 * return a plain string, which the client wraps before anything can print it.
 */
export interface CidaasPasswordHashInfo {
  /** e.g. `BCRYPT_10`, `PBKDF2_SHA256`, `ARGON2`, `SHA256`, `CUSTOM_PHPASS`. */
  algorithmTypeId: string;
  passwordHash: Secret | string;
  hData?: {
    salt?: string;
    /** cidaas takes the iteration count as a string. */
    iterations?: string;
  };
}

/** A TOTP enrolment as the bulk API takes it. The secret is base32. */
export interface CidaasTotpDraft {
  secret: Secret | string;
  algorithm?: 'SHA1';
  digits?: number;
  period?: number;
}

/**
 * The cidaas user as cidaas-sync pushes it: the flat user entity of the bulk API
 * (docs/cidaas-api.md), every field optional. The YAML mapping builds one per dirty user;
 * the mapping module may change it. The lead reconciles this with the cidaas client's
 * own user type.
 */
export interface CidaasUserDraft {
  /** The upsert key: `sub.prefix` + the legacy key. */
  sub?: string;
  userStatus?: CidaasUserStatus;
  /** `self` for users with a password. */
  provider?: string;
  email?: string;
  email_verified?: boolean;
  /** E.164, e.g. `+4915112345678`. */
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
  /** ISO 8601. */
  createdTime?: string;
  /** ISO 8601. */
  lastLoggedInTime?: string;
  /** Keys must exist in the tenant's field setup. */
  customFields?: Record<string, CidaasCustomFieldValue>;
  /**
   * The password to migrate. Removing it (or `null`) means "no usable password": the user is
   * created without one, and a password pushed earlier is revoked in cidaas (`password.onRevoked`).
   */
  password_hash_info?: CidaasPasswordHashInfo | null;
  mfa_enabled?: boolean;
  /** `{}` removes any TOTP setup cidaas holds. */
  mfa?: { totp?: CidaasTotpDraft };
}

/**
 * Everything cidaas-sync read for one user, with values as the database driver
 * returns them (a Postgres int8 is a string, a timestamp a Date, and so on).
 */
export interface LegacyUser {
  /** The user's key (`users.key`) as text. */
  key: string;
  /** The root row from `users.table`. */
  user: Record<string, unknown>;
  /** The row from `password.table`, when that table is configured and has one. */
  password?: Record<string, unknown>;
  /**
   * Every row of `password.table` for the user that matches `password.filter` (`password` is the
   * first of them). Always set by cidaas-sync; empty without a password table.
   */
  passwords?: Record<string, unknown>[];
  /** The rows from `mfa.table` (those matching `mfa.filter`); several when the legacy system keeps one per device. */
  mfa: Record<string, unknown>[];
  /** Every row of `attributes.table` for the user, as name -> value. */
  attributes: Record<string, string | null>;
  /**
   * What the configured password mapping made of the stored hash (present when `password:` is
   * configured): `recognized` (the `password_hash_info` already in the entity), `none` (NULL,
   * empty, no row, or a "no usable password" marker such as Django's `!...`) or `unrecognized`
   * with the reason. For `unrecognized` the module decides: return a `password_hash_info` (for
   * example `CUSTOM_<name>`), or `null` to push the user without a password; leaving it out makes
   * the user a dead letter with the reason.
   */
  passwordRecognition?: PasswordRecognition;
}

/** See {@link LegacyUser.passwordRecognition}. */
export type PasswordRecognition =
  | { status: 'recognized'; algorithmTypeId: string }
  | { status: 'none'; marker: 'empty' | 'django-unusable' | 'unix-locked' | 'unix-no-login' | 'no-row' }
  | { status: 'unrecognized'; reason: string };

/**
 * What the mapping module returns for a user: the user to push, `'skip'` to leave
 * cidaas as it is, or `'delete'` to delete the user there.
 */
export type MappingResult = CidaasUserDraft | 'skip' | 'delete';

/**
 * The default export of a mapping module (docs/architecture.md "The mapping module"). It gets the
 * user the YAML mapping built and everything read for that user, and does no I/O. It
 * runs in the push, in `preview` and in `verify` alike. A throw sends that user to the
 * dead-letter list with the message.
 */
export type MappingFunction = (entity: CidaasUserDraft, legacy: LegacyUser) => MappingResult | Promise<MappingResult>;
