import { z } from 'zod';
import type { Secret } from '../src/secret.js';
import { CIDAAS_USER_FIELDS } from './cidaas-user-fields.js';
import { ALGORITHM_TYPE_ID_RE, cidaasBaseUrl, column, databaseUrl, int, secretString, tableName } from './config-fields.js';
import { finalizeConfig } from './finalize-config.js';
import { presetRefSchema } from './preset-ref-schema.js';
import { tenantSchema } from './tenant-schema.js';
import { verifierSchema } from './verifier-schema.js';

/*
 * The one schema of the configuration file (docs/architecture.md "Configuration"). Every object
 * is strict: an unknown key is an error, never silently ignored. Defaults live here
 * and nowhere else. `finalizeConfig` adds the rules that span keys and splits table
 * names by the source kind.
 */

const cidaasField = z.enum(CIDAAS_USER_FIELDS);
const customFieldName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a cidaas custom field key (letters, digits, `_`)' });

/** `source.tls` / `state.tls`: a mode, or a mode with the CA and a client certificate (PEM text). */
const tlsSchema = z.union([
  z.enum(['disable', 'require', 'verify-full']),
  z.strictObject({
    mode: z.enum(['disable', 'require', 'verify-full']),
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: secretString.optional(),
  }),
]);
const filterValue = z.union([z.string(), z.number(), z.boolean()]);
/** `filter: { <column>: <value or list> }`: only rows holding one of the values in every named column are synced. */
const rowFilterSchema = z.record(column, z.union([filterValue, z.array(filterValue).min(1, { error: 'needs at least one value' })]));

const heartbeatSchema = z.strictObject({
  /** A table the sidecar writes a row to now and then, so an idle source still moves the position. */
  table: tableName.optional(),
  intervalSeconds: int(1, 3600).default(30),
});

const postgresSourceSchema = z.strictObject({
  kind: z.literal('postgres'),
  url: databaseUrl(['postgres', 'postgresql'], 'postgres://cidaas_sync:${LEGACY_DB_PASSWORD}@db:5432/shop'),
  slot: z
    .string()
    .regex(/^[a-z0-9_]{1,63}$/, { error: 'must be a replication slot name (lower-case letters, digits, `_`; at most 63)' })
    .default('cidaas_sync'),
  publication: column.default('cidaas_sync'),
  tls: tlsSchema.optional(),
  heartbeat: heartbeatSchema.optional(),
  /** Create the slot with FAILOVER so a promoted standby has it (PostgreSQL 17+). */
  failoverSlot: z.boolean().default(false),
});

const mysqlSourceSchema = z.strictObject({
  kind: z.literal('mysql'),
  url: databaseUrl(['mysql', 'mariadb'], 'mysql://cidaas_sync:${LEGACY_DB_PASSWORD}@db:3306/wordpress'),
  /** Our replica id on the binlog; unique among the server's replicas. */
  serverId: int(1, 4294967295).default(4711),
  tls: tlsSchema.optional(),
  heartbeat: heartbeatSchema.optional(),
});

/**
 * `users.groups`: the user's group memberships, from a table with one row per membership (Django's
 * auth_user_groups, Keycloak's user_group_membership), or with `decode`, one row per user whose
 * `group` column holds them all (WordPress's `<prefix>capabilities`). Pushed as the entity's
 * `groups`; the shape and whether a push replaces or adds to cidaas's memberships are
 * `cidaas.compat.groupShape` / `groups`.
 */
const userGroupsSchema = z.strictObject({
  table: tableName,
  userKey: column,
  /** The column naming the group (its id or name in legacy). */
  group: column,
  /** Reads the group's name from another table (Django's auth_group, Keycloak's keycloak_group) by `group`. */
  lookup: z.strictObject({ table: tableName, key: column, name: column }).optional(),
  /** Legacy group (name when `lookup`, else the `group` value) -> cidaas groupId. */
  map: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** groupId = prefix + legacy group, for a group `map` does not name. */
  prefix: z.string().max(64).optional(),
  /** A legacy group neither `map` nor `prefix` names: `fail` the user (default), or `skip` the membership. */
  unmapped: z.enum(['fail', 'skip']).default('fail'),
  /** Roles per cidaas groupId that the user gets in that group. */
  roles: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
  filter: rowFilterSchema.optional(),
  /**
   * `php-serialized-map`: the `group` column holds a PHP serialize()d array of name => bool
   * (WordPress's `a:1:{s:13:"administrator";b:1;}`), each name set to true one group. A value of
   * another shape fails the user; nothing in it is guessed.
   */
  decode: z.enum(['php-serialized-map']).optional(),
}).refine((g) => !(g.decode && g.lookup), { message: '`decode` and `lookup` do not go together: a decoded value already names its groups', path: ['lookup'] });

/**
 * `users.identities`: the user's social logins, from a table with one row per linked account
 * (allauth's socialaccount_socialaccount, Keycloak's federated_identity, Nextend's wp_social_users).
 * Pushed as the entity's `identities` (ASSUMED shape, docs/cidaas-api.md).
 */
const userIdentitiesSchema = z.strictObject({
  table: tableName,
  userKey: column,
  /** The column naming the provider (`google`, `facebook`, a Keycloak alias). */
  provider: column,
  /** The column holding the user's id at the provider (Google's `sub`). */
  providerUserId: column,
  /** Legacy provider -> cidaas provider name, where they differ. */
  map: z.record(z.string().min(1), z.string().min(1)).default({}),
  filter: rowFilterSchema.optional(),
});

const usersSchema = z.strictObject({
  table: tableName,
  key: column,
  softDelete: z
    .strictObject({
      column,
      equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    })
    .optional(),
  fields: z.partialRecord(cidaasField, column).default({}),
  customFields: z.record(customFieldName, column).default({}),
  ignoreColumns: z.array(column).default([]),
  filter: rowFilterSchema.optional(),
  /**
   * The key is unique among the rows `filter` picks though no unique index says so (Drupal 8+'s
   * users_field_data: primary key (uid, langcode), one row per uid with default_langcode = 1).
   */
  keyUniqueByFilter: z.boolean().default(false),
  groups: userGroupsSchema.optional(),
  identities: userIdentitiesSchema.optional(),
});

const passwordSchema = z.strictObject({
  table: tableName.optional(),
  userKey: column.optional(),
  hash: column,
  algorithm: z
    .union([
      z.literal('auto'),
      z.string().regex(ALGORITHM_TYPE_ID_RE, {
        error: 'must be `auto`, a cidaas algorithmTypeId (BCRYPT_<4..20>, PBKDF2_SHA256, PBKDF2_SHA1, ARGON2, SHA256, SHA1, CUSTOM_<NAME>) or `{ column: <column> }`',
      }),
      z.strictObject({ column }),
    ])
    .default('auto'),
  /**
   * With `algorithm: auto`: the algorithm of a hash it does not recognise (with `salt`/`iterations`),
   * for a table holding two generations of hashes: Symfony's migrate_from leaves old sha512 hashes
   * (CUSTOM_SYMFONY_SHA512) next to the bcrypt ones users re-hashed at login.
   */
  fallback: z.string().regex(ALGORITHM_TYPE_ID_RE, {
    error: 'must be a cidaas algorithmTypeId (BCRYPT_<4..20>, PBKDF2_SHA256, PBKDF2_SHA1, ARGON2, SHA256, SHA1, CUSTOM_<NAME>)',
  }).optional(),
  salt: column.optional(),
  iterations: column.optional(),
  /** A column of JSON parameters kept apart from the hash (Keycloak's credential_data); read by `algorithm: auto`. */
  parameters: column.optional(),
  filter: rowFilterSchema.optional(),
  /** A pushed password that becomes unusable or disappears in legacy: scramble (default) | lock | keep. */
  onRevoked: z.enum(['scramble', 'lock', 'keep']).default('scramble'),
});

const mfaSchema = z.strictObject({
  table: tableName.optional(),
  userKey: column.optional(),
  secret: column,
  encoding: z.enum(['base32', 'hex', 'keycloak']).default('base32'),
  enabled: column.optional(),
  /** `encoding: keycloak`: the column of the device's JSON parameters (credential_data). */
  parameters: column.optional(),
  filter: rowFilterSchema.optional(),
  /**
   * Where the platform keeps "two-factor is on" apart from the secret: a users-table column
   * (ASP.NET Identity's TwoFactorEnabled), or an attribute whose value contains a text (the
   * WordPress Two-Factor plugin's _two_factor_enabled_providers). Off: the secret is not migrated.
   */
  enabledWhen: z.union([
    z.strictObject({ column }),
    z.strictObject({ attribute: z.string().min(1), contains: z.string().min(1) }),
  ]).optional(),
});

const attributesSchema = z.strictObject({
  table: tableName,
  userKey: column,
  name: column,
  value: column,
  fields: z.partialRecord(cidaasField, z.string().min(1)).default({}),
  customFields: z.record(customFieldName, z.string().min(1)).default({}),
  ignoreNames: z.array(z.string().min(1)).default([]),
  filter: rowFilterSchema.optional(),
});

const cidaasSchema = z.strictObject({
  baseUrl: cidaasBaseUrl,
  clientId: z.string().min(1),
  clientSecret: secretString,
  batchSize: int(1, 50).default(50),
  concurrency: int(1, 64).default(4),
  onDelete: z.enum(['purge', 'lock', 'ignore']).default('purge'),
  requestTimeoutMs: int(1000, 600_000).default(30_000),
  /** Accept the cidaas-sync emulator as the tenant (tests, demos, benchmarks only). */
  allowEmulator: z.boolean().default(false),
  /** The tenant's known rate limit (calls/s): the dispatch pace starts there and never exceeds it. */
  maxCallsPerSecond: z.number().positive().max(10_000).optional(),
  /** What the tenant does where cidaas's public material is silent (src/cidaas/cidaas-compat.ts); `cidaas-sync canary` tells. */
  compat: z.strictObject({
    saltEncoding: z.enum(['base64', 'text']).default('base64'),
    totpImport: z.enum(['totp', 'flag-only']).default('totp'),
    /**
     * ASSUMED: how a TOTP seed removed in legacy is removed in cidaas: `empty` (`mfa: {}`, default),
     * `null` (`mfa: {"totp": null}`) or `unsupported` (the tenant cannot: the users are listed).
     */
    totpRemoval: z.enum(['empty', 'null', 'unsupported']).default('empty'),
    search: z.enum(['graph', 'bulkread', 'get']).default('graph'),
    delete: z.enum(['purge', 'schedule']).default('purge'),
    /**
     * ASSUMED: a bulk upsert's `groups` `replace` the user's memberships (default) or only `add` to
     * them; with `add`, a membership removed in legacy is removed with one DELETE per group.
     */
    groups: z.enum(['replace', 'add']).default('replace'),
    /**
     * ASSUMED: an empty `groups` list `clear`s the user's memberships (default) or is `ignore`d; with
     * `ignore`, a user whose last membership is removed in legacy loses it by DELETE, as under `add`.
     */
    emptyGroups: z.enum(['clear', 'ignore']).default('clear'),
    /** ASSUMED: `groups` as `objects` ([{groupId, roles}], default) or `ids` (["groupId"]). */
    groupShape: z.enum(['objects', 'ids']).default('objects'),
    /**
     * ASSUMED: a bulk upsert's `identities` `replace` the user's social links (default) or only `add`
     * to them; with `add`, a link removed in legacy stays in cidaas (no call removes one): each
     * updated user is read back, and every such link is logged, counted and reported by verify.
     */
    identities: z.enum(['replace', 'add']).default('replace'),
  }).prefault({}),
});

/** `canary`: the throwaway users of `cidaas-sync canary` and the app it logs them in with. */
const canarySchema = z.strictObject({
  /** Where canary users' addresses live; default example.invalid (never deliverable). */
  domain: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, { error: 'must be a domain name, e.g. canary.example.com' }).default('example.invalid'),
  /** A cidaas app allowed the password grant: canary logs its users in with it. */
  loginClientId: z.string().min(1).optional(),
  loginClientSecret: secretString.optional(),
  /** Legacy users read to find the password formats and field groups present. */
  sampleSize: int(1, 100_000).default(1000),
});

const stateSchema = z.strictObject({
  url: databaseUrl(['sqlite', 'postgres', 'postgresql', 'mysql', 'mariadb'], 'sqlite:./state/cidaas-sync.db').prefault(
    'sqlite:./state/cidaas-sync.db',
  ),
  tls: tlsSchema.optional(),
});

const httpSchema = z.strictObject({
  port: int(0, 65535).default(9464),
  /** Loopback by default: /metrics says much about the migration; a container sets 0.0.0.0 itself. */
  host: z.string().min(1).default('127.0.0.1'),
  readyLagSeconds: int(1, 86_400).default(60),
  /** /healthz fails once users are pending and nothing has moved for this long (a wedged pipeline). */
  wedgedSeconds: int(30, 86_400).default(900),
  /** Lets the status page retry dead letters, for requests that carry {@link actionToken}. Off by default: the page is read-only. */
  allowActions: z.boolean().default(false),
  /** The bearer token the status page's actions need (at least 16 characters; from `${file:…}` or `${ENV}`). */
  actionToken: secretString.optional(),
});

const engineSchema = z.strictObject({
  maxDirtyUsers: int(100, 10_000_000).default(100_000),
  /** A changed user is pushed once it has been quiet this long (coalescing bursts)... */
  flushIntervalMs: int(0, 60_000).default(200),
  /** ...but at most this long after its first change. */
  maxDelayMs: int(0, 600_000).default(1000),
  /** First wait before re-reading a user whose read was older than the log; doubles each time. */
  readRetryMs: int(10, 60_000).default(50),
  readRetryMaxMs: int(100, 3_600_000).default(30_000),
  /** How long the mapping module may take for one user before that user is a dead letter. */
  mappingTimeoutMs: int(10, 600_000).default(5000),
});

const haSchema = z.strictObject({
  /** Two or more replicas, one active: a lease row with a fencing token in the state store (PostgreSQL or MySQL; SQLite: a file lock, one host). */
  enabled: z.boolean().default(false),
  /** How long the lease lasts without renewal; renewed every third of it. A standby takes over at most this long after the active died. */
  leaseSeconds: int(1, 3600).default(15),
});

/** The configuration as written, with defaults applied; before the rules that span keys. */
export const rawConfigSchema = z.strictObject({
  source: z.discriminatedUnion('kind', [postgresSourceSchema, mysqlSourceSchema]),
  /** A platform's tables and columns in one line (src/presets); every key below overrides it. */
  preset: presetRefSchema.optional(),
  users: usersSchema,
  password: passwordSchema.optional(),
  mfa: mfaSchema.optional(),
  attributes: attributesSchema.optional(),
  sub: z.strictObject({ prefix: z.string().max(64).default('legacy-') }).prefault({}),
  mapping: z
    .string()
    .regex(/\.(ts|mts|js|mjs)$/, { error: 'must be a .ts, .mts, .js or .mjs file' })
    .optional(),
  cidaas: cidaasSchema,
  canary: canarySchema.prefault({}),
  state: stateSchema.prefault({}),
  http: httpSchema.prefault({}),
  engine: engineSchema.prefault({}),
  ha: haSchema.prefault({}),
  /** The tenant's one-time setup (custom fields, roles, groups, providers, apps): `cidaas-sync setup`. */
  tenant: tenantSchema.optional(),
  verifier: verifierSchema.optional(),
});

/** The output of {@link rawConfigSchema}. */
export type RawConfig = z.output<typeof rawConfigSchema>;
/** The configuration as written (before defaults): what a preset fills in. */
export type RawConfigInput = z.input<typeof rawConfigSchema>;

/** The whole schema: parse the substituted YAML with it. */
export const configSchema = rawConfigSchema.transform(finalizeConfig);

/** Makes every property and element readonly, down to the leaves; a Secret stays as it is. */
export type DeepReadonly<T> = T extends Secret
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The validated, frozen configuration the core sees. Produced only by `loadConfig`/`parseConfig`. */
export type Config = DeepReadonly<z.output<typeof configSchema>>;
/** `source`: where the replication log and the reads come from. */
export type SourceConfig = Config['source'];
/** `source` for PostgreSQL. */
export type PostgresSourceConfig = Extract<SourceConfig, { kind: 'postgres' }>;
/** `source` for MySQL or MariaDB. */
export type MysqlSourceConfig = Extract<SourceConfig, { kind: 'mysql' }>;
/** `users`: the root table and how its columns map to the cidaas user. */
export type UsersConfig = Config['users'];
/** `password`: where the password hash is and which algorithm made it. */
export type PasswordConfig = NonNullable<Config['password']>;
/** `mfa`: where the TOTP secret is. */
export type MfaConfig = NonNullable<Config['mfa']>;
/** `attributes`: a key/value table of per-user attributes (wp_usermeta, EAV). */
export type AttributesConfig = NonNullable<Config['attributes']>;
/** `users.groups`: the membership table and how its values become cidaas groupIds. */
export type UserGroupsConfig = NonNullable<UsersConfig['groups']>;
/** `users.identities`: the linked social accounts table. */
export type UserIdentitiesConfig = NonNullable<UsersConfig['identities']>;
/** `cidaas`: the tenant, the client and how hard to push. */
export type CidaasConfig = Config['cidaas'];
/** `state`: where checkpoints, the dirty-user set and dead letters are kept. */
export type StateConfig = Config['state'];
/** `http`: the /metrics, /healthz and /readyz listener. */
export type HttpConfig = Config['http'];
/** `engine`: internal tuning; the defaults suit almost everyone. */
export type EngineConfig = Config['engine'];
/** `ha`: high availability (two replicas, one active). */
export type HaConfig = Config['ha'];
/** A table name split into schema (Postgres) or database (MySQL) and name. */
export type TableName = UsersConfig['table'];
