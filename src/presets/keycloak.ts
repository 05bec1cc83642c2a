import { keycloakName } from '../tenant/keycloak-names.js';
import { inSchema, type Preset } from './preset.js';

/**
 * Keycloak's users and credentials (model/jpa liquibase changelogs: user_entity, credential as
 * jpa-changelog-12.0.0.xml left them: secret_data / credential_data JSON). One database holds
 * every realm, so `realmId` picks one (realm.id). Passwords and OTP devices share `credential`,
 * told apart by `type`; `algorithm: auto` reads the password JSON (pbkdf2-sha256/-sha512,
 * argon2) and `encoding: keycloak` the OTP secret. `enabled = false` is a disabled account.
 * Group memberships: user_group_membership, named by keycloak_group.name (`users: { groups: null }`
 * leaves them out; inherited memberships of subgroups are not expanded). Social logins:
 * federated_identity, the identity provider's alias as the cidaas provider name (`users.identities.map`
 * renames one).
 *
 * On MySQL/MariaDB every name is upper case: the changelogs write them so (`<createTable
 * tableName="USER_ENTITY">`, `<column name="ID">`, jpa-changelog-1.0.0.Final.xml) and Liquibase
 * creates them as written; PostgreSQL folds the same unquoted names to lower case. MySQL compares
 * table names case-sensitively on Linux (lower_case_table_names=0, its default there), and the
 * reader takes values from rows by the column's own spelling, so the names follow the source kind
 * ({@link keycloakName}).
 */
export const keycloakPreset: Preset = {
  name: 'keycloak',
  title: 'Keycloak 12+ (user_entity + credential, one realm)',
  sources: [
    'keycloak/keycloak: model/storage-private/src/main/resources/META-INF/jpa-changelog-1.0.0.Final.xml (user_entity, credential; upper-case names)',
    'keycloak/keycloak: META-INF/jpa-changelog-12.0.0.xml (credential.secret_data, credential_data, user_label, priority)',
    'keycloak/keycloak: META-INF/jpa-changelog-1.2.0.CR1.xml (keycloak_group, user_group_membership)',
    'keycloak/keycloak: META-INF/jpa-changelog-1.0.0.Final.xml, 1.2.0.Beta1 (federated_identity)',
    'keycloak/keycloak: server-spi-private .../credential/hash/Pbkdf2PasswordHashProvider.java',
  ],
  params: { realmId: 'required' },
  build: (p, source) => {
    const n = (name: string): string => keycloakName(source.kind, name);
    const t = (name: string): string => inSchema(p, n(name));
    const credential = t('credential');
    return {
      users: {
        table: t('user_entity'),
        key: n('id'),
        filter: { [n('realm_id')]: p.realmId ?? '' },
        fields: { email: n('email'), email_verified: n('email_verified'), username: n('username'), given_name: n('first_name'), family_name: n('last_name') },
        softDelete: { column: n('enabled'), equals: false },
        ignoreColumns: [n('not_before')],
        // Direct memberships (user_group_membership: group_id, user_id), named by keycloak_group.name.
        groups: { table: t('user_group_membership'), userKey: n('user_id'), group: n('group_id'), lookup: { table: t('keycloak_group'), key: n('id'), name: n('name') } },
        // Linked identity-provider accounts: the provider's alias and the user's id there.
        identities: { table: t('federated_identity'), userKey: n('user_id'), provider: n('identity_provider'), providerUserId: n('federated_user_id') },
      },
      password: { table: credential, userKey: n('user_id'), hash: n('secret_data'), parameters: n('credential_data'), algorithm: 'auto', filter: { [n('type')]: 'password' } },
      mfa: { table: credential, userKey: n('user_id'), secret: n('secret_data'), parameters: n('credential_data'), encoding: 'keycloak', filter: { [n('type')]: 'otp' } },
    };
  },
};
