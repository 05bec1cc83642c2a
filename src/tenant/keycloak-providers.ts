import type { TenantCustomProvider, TenantSocialProvider } from '../../config/tenant-schema.js';
import type { LegacyRow } from '../legacy-reader.js';
import { Secret } from '../secret.js';
import type { SqlDialect } from '../sql-dialect.js';
import { keycloakFlag } from './keycloak-apps.js';
import { keycloakTable, lowerCaseKeys, type KeycloakDb } from './keycloak-names.js';

/*
 * Keycloak's identity brokering, as its JPA store keeps it (keycloak/keycloak
 * model/jpa/src/main/resources/META-INF/jpa-changelog-*.xml): `identity_provider` (internal_id,
 * realm_id, provider_alias: the realm-unique name, provider_id: the kind such as `google` or
 * `oidc`, enabled, provider_display_name, link_only) and `identity_provider_config`
 * (identity_provider_id = internal_id, name, value), where the OAuth settings live under the
 * names clientId, clientSecret, authorizationUrl, tokenUrl, userInfoUrl, defaultScope,
 * clientAuthMethod. A clientSecret of the form `${vault.<key>}` names a secret in Keycloak's
 * vault, which is not in the database.
 */

/** Keycloak's provider_id → the cidaas social provider that uses the same OAuth client. */
const SOCIAL: Readonly<Record<string, string>> = {
  google: 'google', facebook: 'facebook', github: 'github', microsoft: 'microsoft', linkedin: 'linkedin',
  'linkedin-openid-connect': 'linkedin', apple: 'apple',
};
/** Keycloak's generic OAuth 2.0 / OpenID Connect brokers. */
const CUSTOM: Readonly<Record<string, 'OPENID_CONNECT' | 'OAUTH2'>> = { oidc: 'OPENID_CONNECT', 'keycloak-oidc': 'OPENID_CONNECT', oauth2: 'OAUTH2' };

/** One identity provider row with its config rows as a map. */
export interface KeycloakIdentityProvider {
  readonly provider: LegacyRow;
  readonly config: ReadonlyMap<string, string>;
}

/** What one identity provider becomes. */
export type KeycloakProviderResult =
  | { readonly social: TenantSocialProvider; readonly notes: string[]; readonly linkOnly: boolean }
  | { readonly custom: TenantCustomProvider; readonly notes: string[]; readonly linkOnly: boolean }
  | { readonly notes: string[] };

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const flag = keycloakFlag;
const scopesOf = (v: string | undefined): string[] => (v ?? '').split(/[\s,]+/).filter((s) => s !== '');
const isUrl = (v: string | undefined): v is string => v !== undefined && /^https?:\/\/[^\s]+$/.test(v);

/** cidaas names a custom provider with lower-case letters, digits, `_` and `-`. */
export function customProviderName(alias: string): string {
  return alias.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}

/**
 * One Keycloak identity provider as a declared social or custom provider, or why it is left
 * out. Disabled ones are left out (not declared disabled): a disabled broker logs nobody in, a
 * custom provider has no "disabled" state in cidaas, and creating one would need its secret
 * for nothing. A secret that is a vault reference, or missing, is never guessed: the provider
 * is left out with a note saying to declare it with the secret.
 */
export function keycloakProvider(k: KeycloakIdentityProvider): KeycloakProviderResult {
  const alias = text(k.provider['provider_alias']);
  const kind = text(k.provider['provider_id']);
  const social = SOCIAL[kind];
  const custom = CUSTOM[kind];
  const what = `provider ${alias} (Keycloak ${kind})`;
  if (!social && !custom) return { notes: [`${what}: no cidaas social or OAuth2/OIDC counterpart; not migrated (declare it by hand if cidaas offers it)`] };
  if (!flag(k.provider['enabled'])) return { notes: [`${what}: disabled in Keycloak; not migrated (declare it to migrate it anyway)`] };
  const clientId = k.config.get('clientId') ?? '';
  const secret = k.config.get('clientSecret') ?? '';
  const section = social ? 'tenant.socialProviders' : 'tenant.customProviders';
  if (!clientId) return { notes: [`${what}: has no clientId; not migrated`] };
  if (secret.startsWith('${vault.')) {
    return { notes: [`${what}: its clientSecret is a Keycloak vault reference, not in the database; declare it under ${section} with the secret from the vault (e.g. \`clientSecret: "\${file:/run/secrets/${alias}}"\`)`] };
  }
  if (!secret) return { notes: [`${what}: has no client secret in the database (${k.config.get('clientAuthMethod') ?? 'no clientAuthMethod'}); declare it under ${section} with one`] };
  const clientSecret = new Secret(secret);
  const scopes = scopesOf(k.config.get('defaultScope'));
  // A link-only broker links accounts but logs nobody in: migrated, but offered on no app's login.
  const linkOnly = flag(k.provider['link_only']);
  if (social) {
    return { social: { provider: social, ...(alias !== social ? { name: alias } : {}), clientId, clientSecret, scopes, enabled: true }, notes: [], linkOnly };
  }
  const authorizationEndpoint = k.config.get('authorizationUrl');
  const tokenEndpoint = k.config.get('tokenUrl');
  const userinfo = k.config.get('userInfoUrl');
  if (!isUrl(authorizationEndpoint) || !isUrl(tokenEndpoint)) return { notes: [`${what}: authorizationUrl or tokenUrl is missing or not a URL; not migrated`] };
  const name = customProviderName(alias);
  if (!name) return { notes: [`${what}: its alias gives no usable cidaas provider name; declare it under tenant.customProviders`] };
  const notes = name !== alias ? [`${what}: named ${name} in cidaas (lower-case letters, digits, \`_\`, \`-\` only)`] : [];
  return {
    custom: {
      name, displayName: text(k.provider['provider_display_name']) || alias, type: custom!, clientId, clientSecret,
      authorizationEndpoint, tokenEndpoint, ...(isUrl(userinfo) ? { userinfoEndpoint: userinfo } : {}),
      scopes: scopes.length ? scopes : ['openid', 'email', 'profile'], domains: [],
    },
    notes,
    linkOnly,
  };
}

/** The realm's identity providers with their config, in two reads. */
export async function readKeycloakIdentityProviders(dialect: SqlDialect, realmId: string, db: KeycloakDb): Promise<KeycloakIdentityProvider[]> {
  const t = (name: string): string => dialect.quoteTable(keycloakTable(db, name));
  const q = (name: string): string => dialect.quoteIdent(name);
  const p1 = dialect.placeholder(1);
  const providers = await dialect.query(`SELECT * FROM ${t('identity_provider')} WHERE ${q('realm_id')} = ${p1} ORDER BY ${q('provider_alias')}`, [realmId]);
  const config = await dialect.query(
    `SELECT c.${q('identity_provider_id')} AS pid, c.${q('name')} AS k, c.${q('value')} AS v FROM ${t('identity_provider_config')} c `
    + `JOIN ${t('identity_provider')} i ON i.${q('internal_id')} = c.${q('identity_provider_id')} WHERE i.${q('realm_id')} = ${p1}`,
    [realmId],
  );
  return providers.map(lowerCaseKeys).map((provider) => {
    const id = text(provider['internal_id']);
    return { provider, config: new Map(config.filter((r) => text(r['pid']) === id).map((r) => [text(r['k']), text(r['v'])])) };
  });
}
