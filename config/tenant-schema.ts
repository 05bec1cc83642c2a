import { z } from 'zod';
import { column, secretString, tableName } from './config-fields.js';
import type { DeepReadonly } from './config-schema.js';

/*
 * `tenant:`: the one-time part of the migration, declared (custom fields, roles, group types,
 * groups, login providers, OAuth clients) and brought into the tenant by `cidaas-sync setup`.
 * Names follow cidaas's own where they are plain; the translation to either API generation's
 * wire shape lives in src/tenant/.
 */

const key = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, { error: 'must be 1-100 letters, digits, `_`, `.`, `:` or `-`' });
const labels = z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, { error: 'must be a locale such as `en` or `de-DE`' }), z.string().min(1))
  .refine((m) => Object.keys(m).length > 0, { error: 'needs at least one label, e.g. `{ en: "Customer number" }`' });

const fieldSchema = z.strictObject({
  /** The customFields key the users carry; immutable in cidaas. */
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a custom field key (letters, digits, `_`)' }),
  type: z.enum(['TEXT', 'NUMBER', 'SELECT', 'MULTISELECT', 'RADIO', 'CHECKBOX', 'DATE', 'URL', 'EMAIL', 'TEXTAREA', 'MOBILE', 'JSON_STRING', 'DAYDATE']).default('TEXT'),
  labels,
  required: z.boolean().default(false),
  unique: z.boolean().default(false),
  readOnly: z.boolean().default(false),
  internal: z.boolean().default(false),
  claimable: z.boolean().default(true),
  searchable: z.boolean().default(false),
  enabled: z.boolean().default(true),
  order: z.int().min(0).max(10_000).optional(),
  minLength: z.int().min(0).max(100_000).optional(),
  maxLength: z.int().min(1).max(100_000).optional(),
  regex: z.string().min(1).optional(),
  /** The choices of SELECT, MULTISELECT and RADIO fields. */
  options: z.array(z.string().min(1)).optional(),
});

const roleSchema = z.strictObject({ role: key, name: z.string().min(1), description: z.string().default('') });

const groupTypeSchema = z.strictObject({
  groupType: key,
  roleMode: z.enum(['any_roles', 'no_roles', 'roles_required', 'allowed_roles']).default('any_roles'),
  allowedRoles: z.array(key).default([]),
  description: z.string().default(''),
});

const groupSchema = z.strictObject({
  groupId: key,
  name: z.string().min(1),
  groupType: key,
  parentId: key.default('root'),
  description: z.string().default(''),
});

const socialProviderSchema = z.strictObject({
  /** google, facebook, apple, microsoft, linkedin, github, ... */
  provider: z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a cidaas social provider name such as `google`' }),
  /** Unique per tenant; default: the provider name. */
  name: z.string().min(1).optional(),
  /** The legacy site's own OAuth client id at the provider: user ids are per client, so it must be the same one. */
  clientId: z.string().min(1),
  clientSecret: secretString,
  scopes: z.array(z.string().min(1)).default([]),
  enabled: z.boolean().default(true),
});

const customProviderSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be 1-64 lower-case letters, digits, `_` or `-`' }),
  displayName: z.string().min(1),
  type: z.enum(['OAUTH2', 'OPENID_CONNECT']).default('OPENID_CONNECT'),
  clientId: z.string().min(1),
  clientSecret: secretString,
  authorizationEndpoint: z.url(),
  tokenEndpoint: z.url(),
  userinfoEndpoint: z.url().optional(),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  logoUrl: z.url().optional(),
  domains: z.array(z.string().min(1)).default([]),
});

const appTypes = ['SINGLE_PAGE', 'REGULAR_WEB', 'NON_INTERACTIVE', 'IOS', 'ANDROID', 'DESKTOP', 'MOBILE', 'DEVICE', 'THIRD_PARTY'] as const;

const appSchema = z.strictObject({
  /** The legacy client_id, kept so that the applications need no change. */
  clientId: key,
  name: z.string().min(1),
  type: z.enum(appTypes),
  /** The legacy secret (3.x keeps it; 4.x cannot import one and generates a new one, see tenant.secretsFile). */
  clientSecret: secretString.optional(),
  redirectUris: z.array(z.url()).default([]),
  logoutUris: z.array(z.url()).default([]),
  scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
  grantTypes: z.array(z.string().min(1)).default(['authorization_code', 'refresh_token']),
  socialProviders: z.array(z.string().min(1)).default([]),
  customProviders: z.array(z.string().min(1)).default([]),
});

/** Added to every app read (cidaas requires them; the legacy tables have none). */
const legacyScopes = z.array(z.string().min(1)).default(['openid', 'profile', 'email']);
/** The PostgreSQL schema (or MySQL database) holding the platform's tables; default: the connection's. */
const legacySchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, { error: 'must be a plain schema name' }).optional();
/** Keycloak keeps every realm in one database: the realm's id (`SELECT id FROM realm WHERE name = '<realm>'`). */
const realmId = z.string({ error: "needs the realm's id: `SELECT id FROM realm WHERE name = '<realm>'`" }).min(1).max(36);

/** Reads OAuth clients from the legacy database instead of typing them. */
const appsFromSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** The table layout: Django OAuth Toolkit's `oauth2_provider_application`. */
    kind: z.literal('django-oauth-toolkit'),
    table: tableName.default('oauth2_provider_application'),
    /** Only rows whose column equals the value (e.g. `{ skip_authorization: false }`). */
    filter: z.record(column, z.union([z.string(), z.number(), z.boolean()])).default({}),
    scopes: legacyScopes,
  }),
  z.strictObject({
    /** Keycloak's `client` (+ `redirect_uris`, `client_attributes`) of one realm; its built-in clients are left out. */
    kind: z.literal('keycloak'),
    realmId,
    schema: legacySchema,
    scopes: legacyScopes,
  }),
]);

const wpPrefix = z.string().regex(/^[A-Za-z0-9_]+$/, { error: 'must be letters, digits and `_`, as wp-config.php allows' }).default('wp_');

/** Reads social and custom login providers from the legacy database instead of typing them. */
const providersFromSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Keycloak's `identity_provider` (+ `identity_provider_config`) of one realm. */
    kind: z.literal('keycloak'),
    realmId,
    schema: legacySchema,
  }),
  z.strictObject({
    /** WordPress with the Nextend Social Login plugin: its `nsl_<provider>` options in `<prefix>options`. */
    kind: z.literal('nextend-social-login'),
    /** $table_prefix of wp-config.php. */
    tablePrefix: wpPrefix,
    schema: legacySchema,
  }),
  z.strictObject({
    /** WordPress with the "WordPress Social Login" plugin: its `wsl_settings_<Provider>_*` options in `<prefix>options`. */
    kind: z.literal('wordpress-social-login'),
    tablePrefix: wpPrefix,
    schema: legacySchema,
  }),
]);

/** `tenant:` as written. */
export const tenantSchema = z.strictObject({
  /** `auto` asks GET /public-srv/version (404 there means 4.x, as cidaas's own client reads it). */
  apiGeneration: z.enum(['auto', '3', '4']).default('auto'),
  /** 4.x apps path; cidaas's docs say /apps-srv/apps, its own client calls /app-srv/apps. Tried in this order when unset. */
  appsPath: z.string().regex(/^\/[a-z-]+\/apps$/).optional(),
  /** 4.x only: where generated client secrets are written, once, with mode 0600. Required when an app needs one. */
  secretsFile: z.string().min(1).optional(),
  /** cidaas requires a company on every app: the owner of the OAuth clients. */
  company: z.strictObject({ name: z.string().min(1), address: z.string().min(1), website: z.url() }).optional(),
  fields: z.array(fieldSchema).default([]),
  roles: z.array(roleSchema).default([]),
  groupTypes: z.array(groupTypeSchema).default([]),
  groups: z.array(groupSchema).default([]),
  socialProviders: z.array(socialProviderSchema).default([]),
  customProviders: z.array(customProviderSchema).default([]),
  apps: z.array(appSchema).default([]),
  from: z.strictObject({ apps: appsFromSchema.optional(), providers: providersFromSchema.optional() }).default({}),
});

/** The validated `tenant:` section. */
export type TenantConfig = DeepReadonly<z.output<typeof tenantSchema>>;
export type TenantField = TenantConfig['fields'][number];
export type TenantApp = TenantConfig['apps'][number];
export type TenantSocialProvider = TenantConfig['socialProviders'][number];
export type TenantCustomProvider = TenantConfig['customProviders'][number];
export type AppsFrom = NonNullable<TenantConfig['from']['apps']>;
export type ProvidersFrom = NonNullable<TenantConfig['from']['providers']>;
