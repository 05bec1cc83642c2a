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
 */
export const keycloakPreset: Preset = {
  name: 'keycloak',
  title: 'Keycloak 12+ (user_entity + credential, one realm)',
  sources: [
    'keycloak/keycloak: model/storage-private/src/main/resources/META-INF/jpa-changelog-1.0.0.Final.xml (user_entity, credential)',
    'keycloak/keycloak: META-INF/jpa-changelog-12.0.0.xml (credential.secret_data, credential_data, user_label, priority)',
    'keycloak/keycloak: META-INF/jpa-changelog-1.2.0.CR1.xml (keycloak_group, user_group_membership)',
    'keycloak/keycloak: META-INF/jpa-changelog-1.0.0.Final.xml, 1.2.0.Beta1 (federated_identity)',
    'keycloak/keycloak: server-spi-private .../credential/hash/Pbkdf2PasswordHashProvider.java',
  ],
  params: { realmId: 'required' },
  build: (p) => {
    const credential = inSchema(p, 'credential');
    return {
      users: {
        table: inSchema(p, 'user_entity'),
        key: 'id',
        filter: { realm_id: p.realmId ?? '' },
        fields: { email: 'email', email_verified: 'email_verified', username: 'username', given_name: 'first_name', family_name: 'last_name' },
        softDelete: { column: 'enabled', equals: false },
        ignoreColumns: ['not_before'],
        // Direct memberships (user_group_membership: group_id, user_id), named by keycloak_group.name.
        groups: { table: inSchema(p, 'user_group_membership'), userKey: 'user_id', group: 'group_id', lookup: { table: inSchema(p, 'keycloak_group'), key: 'id', name: 'name' } },
        // Linked identity-provider accounts: the provider's alias and the user's id there.
        identities: { table: inSchema(p, 'federated_identity'), userKey: 'user_id', provider: 'identity_provider', providerUserId: 'federated_user_id' },
      },
      password: { table: credential, userKey: 'user_id', hash: 'secret_data', parameters: 'credential_data', algorithm: 'auto', filter: { type: 'password' } },
      mfa: { table: credential, userKey: 'user_id', secret: 'secret_data', parameters: 'credential_data', encoding: 'keycloak', filter: { type: 'otp' } },
    };
  },
};
