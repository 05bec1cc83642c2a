/**
 * The platforms' own tables, as their own migrations create them, shared by the platform tests
 * (the older ones with a hand-written config, and the preset ones).
 */

/**
 * Django on PostgreSQL: django.contrib.auth migrations 0001..0012 and django_otp's
 * otp_totp migrations 0001..0003, with their real names, types and NOT NULLs.
 */
export const DJANGO_DDL: readonly string[] = [
  `CREATE TABLE auth_user (
    id serial PRIMARY KEY, password varchar(128) NOT NULL, last_login timestamptz NULL, is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL, is_staff boolean NOT NULL, is_active boolean NOT NULL, date_joined timestamptz NOT NULL)`,
  `CREATE TABLE otp_totp_totpdevice (
    id serial PRIMARY KEY, name varchar(64) NOT NULL, confirmed boolean NOT NULL, key varchar(80) NOT NULL,
    step smallint NOT NULL CHECK (step >= 0), t0 bigint NOT NULL, digits smallint NOT NULL CHECK (digits >= 0),
    tolerance smallint NOT NULL CHECK (tolerance >= 0), drift smallint NOT NULL, last_t bigint NOT NULL,
    user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    throttling_failure_count integer NOT NULL CHECK (throttling_failure_count >= 0),
    throttling_failure_timestamp timestamptz NULL, created_at timestamptz NULL, last_used_at timestamptz NULL)`,
  'CREATE INDEX otp_totp_totpdevice_user_id ON otp_totp_totpdevice (user_id)',
  // django.contrib.auth 0001_initial: Group and the User.groups many-to-many table.
  'CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL UNIQUE)',
  `CREATE TABLE auth_user_groups (
    id bigserial PRIMARY KEY, user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    group_id integer NOT NULL REFERENCES auth_group (id) DEFERRABLE INITIALLY DEFERRED, UNIQUE (user_id, group_id))`,
  // `cidaas-sync check` asks for this: a removed membership's row image must name its user.
  'ALTER TABLE auth_user_groups REPLICA IDENTITY FULL',
  // `cidaas-sync check` asks for this: a deleted device's row image must name its user.
  'ALTER TABLE otp_totp_totpdevice REPLICA IDENTITY FULL',
];

/** WordPress on MariaDB: wp-admin/includes/schema.php (WordPress 6.x), with the site's table prefix. */
export function wordpressDdl(prefix = 'wp_'): string[] {
  return [
    `CREATE TABLE ${prefix}users (
      ID bigint(20) unsigned NOT NULL auto_increment, user_login varchar(60) NOT NULL default '',
      user_pass varchar(255) NOT NULL default '', user_nicename varchar(50) NOT NULL default '',
      user_email varchar(100) NOT NULL default '', user_url varchar(100) NOT NULL default '',
      user_registered datetime NOT NULL default '0000-00-00 00:00:00', user_activation_key varchar(255) NOT NULL default '',
      user_status int(11) NOT NULL default '0', display_name varchar(250) NOT NULL default '',
      PRIMARY KEY (ID), KEY user_login_key (user_login), KEY user_nicename (user_nicename), KEY user_email (user_email)
    ) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`,
    `CREATE TABLE ${prefix}usermeta (
      umeta_id bigint(20) unsigned NOT NULL auto_increment, user_id bigint(20) unsigned NOT NULL default '0',
      meta_key varchar(255) default NULL, meta_value longtext,
      PRIMARY KEY (umeta_id), KEY user_id (user_id), KEY meta_key (meta_key(191))
    ) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`,
  ];
}

/**
 * Keycloak on PostgreSQL: keycloak/keycloak model/jpa liquibase changelogs (1.0.0.Final ..
 * 12.0.0): realm, user_entity, credential.
 */
export const KEYCLOAK_DDL: readonly string[] = [
  'CREATE TABLE realm (id varchar(36) PRIMARY KEY, name varchar(255) UNIQUE)',
  `CREATE TABLE user_entity (
    id varchar(36) PRIMARY KEY, email varchar(255), email_constraint varchar(255), email_verified boolean NOT NULL DEFAULT false,
    enabled boolean NOT NULL DEFAULT false, federation_link varchar(255), first_name varchar(255), last_name varchar(255),
    realm_id varchar(255), username varchar(255), created_timestamp bigint, service_account_client_link varchar(255),
    not_before integer NOT NULL DEFAULT 0, CONSTRAINT uk_dykn684sl8up1crfei6eckhd7 UNIQUE (realm_id, email_constraint),
    CONSTRAINT uk_ru8tt6t700s9v50bu18ws5ha6 UNIQUE (realm_id, username))`,
  `CREATE TABLE credential (
    id varchar(36) PRIMARY KEY, salt bytea, type varchar(255), user_id varchar(36) REFERENCES user_entity (id),
    created_date bigint, user_label varchar(255), secret_data text, credential_data text, priority integer)`,
  'CREATE INDEX idx_user_credential ON credential (user_id)',
  // What `cidaas-sync check` asks the DBA for: a deleted credential row must name its user.
  'ALTER TABLE credential REPLICA IDENTITY FULL',
  // jpa-changelog-1.2.0.CR1: groups and direct memberships (the primary key holds user_id).
  `CREATE TABLE keycloak_group (
    id varchar(36) PRIMARY KEY, name varchar(255), parent_group varchar(36) NOT NULL, realm_id varchar(36),
    CONSTRAINT sibling_names UNIQUE (realm_id, parent_group, name))`,
  `CREATE TABLE user_group_membership (
    group_id varchar(36) NOT NULL, user_id varchar(36) NOT NULL REFERENCES user_entity (id),
    CONSTRAINT constraint_user_group PRIMARY KEY (group_id, user_id))`,
  // Linked identity-provider accounts (the primary key holds user_id).
  `CREATE TABLE federated_identity (
    identity_provider varchar(255) NOT NULL, realm_id varchar(36), federated_user_id varchar(255), federated_username varchar(255),
    token text, user_id varchar(36) NOT NULL REFERENCES user_entity (id), CONSTRAINT constr_40 PRIMARY KEY (identity_provider, user_id))`,
];

/**
 * Keycloak on MySQL/MariaDB, as Liquibase runs the same changelogs there: every table and column
 * in upper case, as the changelogs write them (jpa-changelog-1.0.0.Final.xml `<createTable
 * tableName="USER_ENTITY">`, `<column name="ID" ...>`; 1.2.0.CR1 KEYCLOAK_GROUP and
 * USER_GROUP_MEMBERSHIP; FEDERATED_IDENTITY), the changelog types as Liquibase's MySQL dialect
 * renders them (BOOLEAN as BIT(1), CLOB/TEXT as LONGTEXT, BINARY as TINYBLOB), and the same
 * constraint names. MySQL keeps those names as written (PostgreSQL folds them, KEYCLOAK_DDL), and
 * on Linux tells `USER_ENTITY` from `user_entity`.
 */
export const KEYCLOAK_MYSQL_DDL: readonly string[] = [
  `CREATE TABLE REALM (ID varchar(36) NOT NULL, NAME varchar(255) DEFAULT NULL,
    PRIMARY KEY (ID), UNIQUE KEY UK_ORVSDMLA56612EAEFIQ6WL5OI (NAME))`,
  `CREATE TABLE USER_ENTITY (
    ID varchar(36) NOT NULL, EMAIL varchar(255) DEFAULT NULL, EMAIL_CONSTRAINT varchar(255) DEFAULT NULL, EMAIL_VERIFIED bit(1) NOT NULL DEFAULT b'0',
    ENABLED bit(1) NOT NULL DEFAULT b'0', FEDERATION_LINK varchar(255) DEFAULT NULL, FIRST_NAME varchar(255) DEFAULT NULL, LAST_NAME varchar(255) DEFAULT NULL,
    REALM_ID varchar(255) DEFAULT NULL, USERNAME varchar(255) DEFAULT NULL, CREATED_TIMESTAMP bigint(20) DEFAULT NULL, SERVICE_ACCOUNT_CLIENT_LINK varchar(255) DEFAULT NULL,
    NOT_BEFORE int(11) NOT NULL DEFAULT 0, PRIMARY KEY (ID), UNIQUE KEY UK_DYKN684SL8UP1CRFEI6ECKHD7 (REALM_ID, EMAIL_CONSTRAINT),
    UNIQUE KEY UK_RU8TT6T700S9V50BU18WS5HA6 (REALM_ID, USERNAME))`,
  `CREATE TABLE CREDENTIAL (
    ID varchar(36) NOT NULL, SALT tinyblob DEFAULT NULL, TYPE varchar(255) DEFAULT NULL, USER_ID varchar(36) DEFAULT NULL, CREATED_DATE bigint(20) DEFAULT NULL,
    USER_LABEL varchar(255) DEFAULT NULL, SECRET_DATA longtext DEFAULT NULL, CREDENTIAL_DATA longtext DEFAULT NULL, PRIORITY int(11) DEFAULT NULL,
    PRIMARY KEY (ID), KEY IDX_USER_CREDENTIAL (USER_ID), CONSTRAINT FK_PFYR0GLASQYL0DEI3KL69R6V0 FOREIGN KEY (USER_ID) REFERENCES USER_ENTITY (ID))`,
  `CREATE TABLE KEYCLOAK_GROUP (
    ID varchar(36) NOT NULL, NAME varchar(255) DEFAULT NULL, PARENT_GROUP varchar(36) NOT NULL, REALM_ID varchar(36) DEFAULT NULL,
    PRIMARY KEY (ID), UNIQUE KEY SIBLING_NAMES (REALM_ID, PARENT_GROUP, NAME))`,
  `CREATE TABLE USER_GROUP_MEMBERSHIP (
    GROUP_ID varchar(36) NOT NULL, USER_ID varchar(36) NOT NULL, PRIMARY KEY (GROUP_ID, USER_ID), KEY IDX_USER_GROUP_MAPPING (USER_ID),
    CONSTRAINT FK_USER_GROUP_USER FOREIGN KEY (USER_ID) REFERENCES USER_ENTITY (ID))`,
  `CREATE TABLE FEDERATED_IDENTITY (
    IDENTITY_PROVIDER varchar(255) NOT NULL, REALM_ID varchar(36) DEFAULT NULL, FEDERATED_USER_ID varchar(255) DEFAULT NULL,
    FEDERATED_USERNAME varchar(255) DEFAULT NULL, TOKEN longtext DEFAULT NULL, USER_ID varchar(36) NOT NULL, PRIMARY KEY (IDENTITY_PROVIDER, USER_ID),
    KEY IDX_FEDIDENTITY_USER (USER_ID), CONSTRAINT FK404288B92EF007A6 FOREIGN KEY (USER_ID) REFERENCES USER_ENTITY (ID))`,
];

/**
 * Keycloak's clients and identity brokers on MySQL/MariaDB: KEYCLOAK_TENANT_DDL's tables as
 * Liquibase creates them there (upper case, BIT(1), LONGTEXT; see KEYCLOAK_MYSQL_DDL). Needs REALM.
 */
export const KEYCLOAK_MYSQL_TENANT_DDL: readonly string[] = [
  `CREATE TABLE CLIENT (
    ID varchar(36) NOT NULL, ENABLED bit(1) NOT NULL DEFAULT b'0', FULL_SCOPE_ALLOWED bit(1) NOT NULL DEFAULT b'0', CLIENT_ID varchar(255) DEFAULT NULL,
    NOT_BEFORE int(11) DEFAULT NULL, PUBLIC_CLIENT bit(1) NOT NULL DEFAULT b'0', SECRET varchar(255) DEFAULT NULL, BASE_URL varchar(255) DEFAULT NULL,
    BEARER_ONLY bit(1) NOT NULL DEFAULT b'0', MANAGEMENT_URL varchar(255) DEFAULT NULL, SURROGATE_AUTH_REQUIRED bit(1) NOT NULL DEFAULT b'0',
    REALM_ID varchar(36) DEFAULT NULL, PROTOCOL varchar(255) DEFAULT NULL, NODE_REREG_TIMEOUT int(11) DEFAULT 0, FRONTCHANNEL_LOGOUT bit(1) NOT NULL DEFAULT b'0',
    CONSENT_REQUIRED bit(1) NOT NULL DEFAULT b'0', NAME varchar(255) DEFAULT NULL, SERVICE_ACCOUNTS_ENABLED bit(1) NOT NULL DEFAULT b'0',
    CLIENT_AUTHENTICATOR_TYPE varchar(255) DEFAULT NULL, ROOT_URL varchar(255) DEFAULT NULL, DESCRIPTION varchar(255) DEFAULT NULL,
    REGISTRATION_TOKEN varchar(255) DEFAULT NULL, STANDARD_FLOW_ENABLED bit(1) NOT NULL DEFAULT b'1', IMPLICIT_FLOW_ENABLED bit(1) NOT NULL DEFAULT b'0',
    DIRECT_ACCESS_GRANTS_ENABLED bit(1) NOT NULL DEFAULT b'0', ALWAYS_DISPLAY_IN_CONSOLE bit(1) NOT NULL DEFAULT b'0',
    PRIMARY KEY (ID), UNIQUE KEY UK_B71CJLBENV945RB6GCON438AT (REALM_ID, CLIENT_ID))`,
  `CREATE TABLE REDIRECT_URIS (CLIENT_ID varchar(36) NOT NULL, VALUE varchar(255) NOT NULL, PRIMARY KEY (CLIENT_ID, VALUE),
    CONSTRAINT FK_1BURS8PB4OUJ97H5WUPPAHV9F FOREIGN KEY (CLIENT_ID) REFERENCES CLIENT (ID))`,
  `CREATE TABLE CLIENT_ATTRIBUTES (CLIENT_ID varchar(36) NOT NULL, NAME varchar(255) NOT NULL, VALUE longtext DEFAULT NULL, PRIMARY KEY (CLIENT_ID, NAME),
    CONSTRAINT FK3C47C64BEACCA966 FOREIGN KEY (CLIENT_ID) REFERENCES CLIENT (ID))`,
  `CREATE TABLE IDENTITY_PROVIDER (
    INTERNAL_ID varchar(36) NOT NULL, ENABLED bit(1) NOT NULL DEFAULT b'0', PROVIDER_ALIAS varchar(255) DEFAULT NULL, PROVIDER_ID varchar(255) DEFAULT NULL,
    STORE_TOKEN bit(1) NOT NULL DEFAULT b'0', AUTHENTICATE_BY_DEFAULT bit(1) NOT NULL DEFAULT b'0', REALM_ID varchar(36) DEFAULT NULL,
    ADD_TOKEN_ROLE bit(1) NOT NULL DEFAULT b'1', TRUST_EMAIL bit(1) NOT NULL DEFAULT b'0', FIRST_BROKER_LOGIN_FLOW_ID varchar(36) DEFAULT NULL,
    POST_BROKER_LOGIN_FLOW_ID varchar(36) DEFAULT NULL, PROVIDER_DISPLAY_NAME varchar(255) DEFAULT NULL, LINK_ONLY bit(1) NOT NULL DEFAULT b'0',
    ORGANIZATION_ID varchar(255) DEFAULT NULL, HIDE_ON_LOGIN bit(1) DEFAULT b'0',
    PRIMARY KEY (INTERNAL_ID), UNIQUE KEY UK_2DAELWNIBJI49AVXSRTUF6XJ33 (PROVIDER_ALIAS, REALM_ID))`,
  `CREATE TABLE IDENTITY_PROVIDER_CONFIG (IDENTITY_PROVIDER_ID varchar(36) NOT NULL, VALUE longtext DEFAULT NULL, NAME varchar(255) NOT NULL,
    PRIMARY KEY (IDENTITY_PROVIDER_ID, NAME), CONSTRAINT FKDC4897CF864C4E43 FOREIGN KEY (IDENTITY_PROVIDER_ID) REFERENCES IDENTITY_PROVIDER (INTERNAL_ID))`,
];

/**
 * Keycloak's OAuth clients and identity brokers on PostgreSQL, as keycloak/keycloak's
 * model/jpa liquibase changelogs leave them at 26.x (1.0.0.Final creates CLIENT, REDIRECT_URIS;
 * later changesets add the flow switches, CLIENT_ATTRIBUTES, IDENTITY_PROVIDER and its CONFIG;
 * 26.0.0-idps-for-login adds organization_id and hide_on_login): `client`, `redirect_uris`,
 * `client_attributes` (value text in current versions, varchar(4000) before; post-logout
 * redirect URIs under `post.logout.redirect.uris`), `identity_provider` and
 * `identity_provider_config`, with the constraint names Keycloak's own databases carry.
 * Needs `realm` from KEYCLOAK_DDL.
 */
export const KEYCLOAK_TENANT_DDL: readonly string[] = [
  `CREATE TABLE client (
    id varchar(36) NOT NULL, enabled boolean NOT NULL DEFAULT false, full_scope_allowed boolean NOT NULL DEFAULT false,
    client_id varchar(255), not_before integer, public_client boolean NOT NULL DEFAULT false, secret varchar(255), base_url varchar(255),
    bearer_only boolean NOT NULL DEFAULT false, management_url varchar(255), surrogate_auth_required boolean NOT NULL DEFAULT false,
    realm_id varchar(36), protocol varchar(255), node_rereg_timeout integer DEFAULT 0, frontchannel_logout boolean NOT NULL DEFAULT false,
    consent_required boolean NOT NULL DEFAULT false, name varchar(255), service_accounts_enabled boolean NOT NULL DEFAULT false,
    client_authenticator_type varchar(255), root_url varchar(255), description varchar(255), registration_token varchar(255),
    standard_flow_enabled boolean NOT NULL DEFAULT true, implicit_flow_enabled boolean NOT NULL DEFAULT false,
    direct_access_grants_enabled boolean NOT NULL DEFAULT false, always_display_in_console boolean NOT NULL DEFAULT false,
    CONSTRAINT constraint_7 PRIMARY KEY (id), CONSTRAINT uk_b71cjlbenv945rb6gcon438at UNIQUE (realm_id, client_id))`,
  `CREATE TABLE redirect_uris (
    client_id varchar(36) NOT NULL REFERENCES client (id), value varchar(255) NOT NULL,
    CONSTRAINT constraint_redirect_uris PRIMARY KEY (client_id, value))`,
  `CREATE TABLE client_attributes (
    client_id varchar(36) NOT NULL REFERENCES client (id), name varchar(255) NOT NULL, value text,
    CONSTRAINT constraint_3c PRIMARY KEY (client_id, name))`,
  `CREATE TABLE identity_provider (
    internal_id varchar(36) NOT NULL, enabled boolean NOT NULL DEFAULT false, provider_alias varchar(255), provider_id varchar(255),
    store_token boolean NOT NULL DEFAULT false, authenticate_by_default boolean NOT NULL DEFAULT false, realm_id varchar(36),
    add_token_role boolean NOT NULL DEFAULT true, trust_email boolean NOT NULL DEFAULT false, first_broker_login_flow_id varchar(36),
    post_broker_login_flow_id varchar(36), provider_display_name varchar(255), link_only boolean NOT NULL DEFAULT false,
    organization_id varchar(255), hide_on_login boolean DEFAULT false,
    CONSTRAINT constraint_2b PRIMARY KEY (internal_id), CONSTRAINT uk_2daelwnibji49avxsrtuf6xj33 UNIQUE (provider_alias, realm_id))`,
  `CREATE TABLE identity_provider_config (
    identity_provider_id varchar(36) NOT NULL REFERENCES identity_provider (internal_id), value text, name varchar(255) NOT NULL,
    CONSTRAINT constraint_d PRIMARY KEY (identity_provider_id, name))`,
];

/** WordPress's options table (wp-admin/includes/schema.php, 6.x), with the site's table prefix. */
export function wordpressOptionsDdl(prefix = 'wp_'): string[] {
  return [
    `CREATE TABLE ${prefix}options (
      option_id bigint(20) unsigned NOT NULL auto_increment, option_name varchar(191) NOT NULL default '',
      option_value longtext NOT NULL, autoload varchar(20) NOT NULL default 'yes',
      PRIMARY KEY (option_id), UNIQUE KEY option_name (option_name), KEY autoload (autoload)
    ) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`,
  ];
}
