import type { CidaasUser, CidaasUserStatus, CustomFieldValue, PasswordHashInfo } from '../src/cidaas/cidaas-user.js';
import type { Secret } from '../src/secret.js';

export type { CidaasUserStatus };

/** A value cidaas accepts in `customFields`: a string, number or boolean, or a list of them. */
export type CidaasCustomFieldValue = CustomFieldValue;

/**
 * How cidaas verifies a migrated password (`password_hash_info` in the bulk API).
 * The translator fills `passwordHash` with a {@link Secret}; a mapping module may
 * return a plain string, which the client wraps before anything can print it.
 */
export type CidaasPasswordHashInfo = PasswordHashInfo<Secret | string>;

/** A TOTP enrolment as the bulk API takes it. The secret is base32. */
export interface CidaasTotpDraft {
  secret: Secret | string;
  algorithm?: 'SHA1';
  digits?: number;
  period?: number;
}

/**
 * The cidaas user as cidaas-sync pushes it, derived from the client's user entity
 * ({@link CidaasUser}, the flat user entity of the bulk API, docs/cidaas-api.md) with every field
 * optional. The YAML mapping builds one per dirty user (`sub` is `sub.prefix` + the legacy key);
 * the mapping module may change it.
 */
export type CidaasUserDraft = Partial<Omit<CidaasUser, 'password_hash_info' | 'mfa'>> & {
  /**
   * The password to migrate. Removing it (or `null`) means "no usable password": the user is
   * created without one, and a password pushed earlier is revoked in cidaas (`password.onRevoked`).
   */
  password_hash_info?: CidaasPasswordHashInfo | null;
  /** `{}` removes any TOTP setup cidaas holds. */
  mfa?: { totp?: CidaasTotpDraft };
};

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
  /**
   * The rows of `users.groups.table` (one per membership; with `lookup`, the group's name under
   * `__cidaas_sync_group_name`). Present when `users.groups` is configured.
   */
  groups?: Record<string, unknown>[];
  /** The rows of `users.identities.table` (one per linked social account). Present when `users.identities` is configured. */
  identities?: Record<string, unknown>[];
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
