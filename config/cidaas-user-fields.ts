/**
 * The cidaas user fields a YAML mapping may fill from a legacy column or attribute
 * (`users.fields`, `attributes.fields`). `sub`, `provider`, `password_hash_info` and
 * `mfa` are not in the list: cidaas-sync builds those itself from `sub`, `password`
 * and `mfa`. The names are cidaas's own (docs/cidaas-api.md, user entity, flat form).
 */
export const CIDAAS_USER_FIELDS = [
  'email',
  'email_verified',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'mobile_number',
  'mobile_number_verified',
  'username',
  'locale',
  'birthdate',
  'userStatus',
  'createdTime',
  'lastLoggedInTime',
] as const;

/** One of {@link CIDAAS_USER_FIELDS}. */
export type CidaasUserField = (typeof CIDAAS_USER_FIELDS)[number];

/** The fields of which cidaas needs at least one on every user: its login identifiers. */
export const CIDAAS_IDENTIFIER_FIELDS = ['email', 'mobile_number', 'username'] as const satisfies readonly CidaasUserField[];
