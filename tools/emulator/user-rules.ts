/**
 * The per-user rules of the bulk endpoint. A user that breaks one is answered FAILED
 * with `sub: "ANONYMOUS"` and the rule's message; the other users of the batch go on.
 * Each rule has a stable id so tests and the emulator's own answers can name it.
 */
export const USER_RULES = {
  unknown_field: 'a field that is not in the user entity of docs/cidaas-api.md (names are exact)',
  null_value: 'a field sent as null (the emulator has no way to clear a field with null)',
  invalid_type: 'a field of the wrong JSON type (string, boolean, object)',
  invalid_sub: 'sub is empty, longer than 255 characters or holds control characters',
  no_identifier: 'the user (after merging with the stored one) has none of email, mobile_number, username',
  invalid_email: 'email is not an address (local@domain.tld)',
  invalid_mobile_number: 'mobile_number is not E.164 (+ and 2..15 digits)',
  invalid_username: 'username is empty',
  invalid_user_status: 'userStatus is not VERIFIED, PENDING, LOCKED or DECLINED',
  invalid_birthdate: 'birthdate is not a real YYYY-MM-DD date',
  invalid_timestamp: 'createdTime or lastLoggedInTime is not ISO 8601',
  invalid_custom_fields: 'customFields is not an object of string, number, boolean or array values',
  invalid_groups: 'groups is not an array of groupIds or {"groupId", "roles"} objects',
  unknown_group: "a groups entry names a group the tenant does not have (tenant variant unknownGroup: fail)",
  invalid_identities: 'identities is not an array of {"provider", "providerUserId"} objects',
  unknown_provider: 'an identities entry names a login provider the tenant does not have or has disabled (tenant variant unknownProvider: fail)',
  unknown_custom_field: "a customFields key is not in the tenant's field setup (--custom-fields)",
  invalid_password_hash_info: 'password_hash_info is not {algorithmTypeId, passwordHash, hData?: {salt?, iterations?, keylen?}} of strings',
  unsupported_algorithm: 'algorithmTypeId is not one the emulator accepts',
  hash_format_mismatch: 'passwordHash does not have the format of its algorithmTypeId',
  pbkdf2_hdata_missing: 'a PBKDF2 hash without hData.salt and a digit-string hData.iterations',
  invalid_salt: 'hData.salt of a PBKDF2 or SHA hash is not standard base64 of the salt bytes',
  invalid_keylen: 'hData.keylen of a PBKDF2 hash is not a digit string in 16..128',
  invalid_mfa: 'mfa is not {} or {"totp": {...}}, or its totp has unsupported parameters',
  invalid_totp_secret: 'mfa.totp.secret is not upper-case RFC 4648 base32 of at least 80 bits',
  email_exists: 'the email belongs to another sub',
  password_overwrite: 'a password_hash_info for a user that has a password while migrationMode is off',
  fault_fail_email: 'a failEmail fault rule matched the email',
} as const;

/** The id of a per-user bulk rule. */
export type UserRule = keyof typeof USER_RULES;

/** Why one user of a batch FAILED. */
export interface UserRejection {
  readonly rejected: true;
  readonly rule: UserRule;
  /** The `message` of the FAILED process state. Never contains a hash or secret. */
  readonly message: string;
}

/** Builds a {@link UserRejection}. */
export function reject(rule: UserRule, message: string): UserRejection {
  return { rejected: true, rule, message };
}

/** True for a rejection (as opposed to a parsed value). */
export function isRejection(value: unknown): value is UserRejection {
  return typeof value === 'object' && value !== null && (value as { rejected?: unknown }).rejected === true;
}
