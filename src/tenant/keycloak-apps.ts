import type { TenantApp } from '../../config/tenant-schema.js';
import type { LegacyRow } from '../legacy-reader.js';
import { Secret } from '../secret.js';
import type { SqlDialect } from '../sql-dialect.js';
import { keycloakTable, lowerCaseKeys, type KeycloakDb } from './keycloak-names.js';

/*
 * Keycloak's OAuth clients, as its JPA store keeps them (keycloak/keycloak
 * model/jpa/src/main/resources/META-INF/jpa-changelog-*.xml): `client` (one row per client of
 * every realm, `realm_id` naming the realm; the boolean flow switches standard_flow_enabled,
 * implicit_flow_enabled, direct_access_grants_enabled, service_accounts_enabled added in 1.x/2.x;
 * `secret` in plain text), `redirect_uris` (client_id = client.id, value), and
 * `client_attributes` (client_id, name, value), where 18.0+ keeps the post-logout redirect URIs
 * under `post.logout.redirect.uris`, `##`-separated, `+` meaning "the valid redirect URIs".
 */

/** The clients every realm gets from Keycloak itself; they are Keycloak's own consoles and APIs. */
export const KEYCLOAK_BUILT_IN_CLIENTS: ReadonlySet<string> = new Set([
  'account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console',
]);

/** The rows of one client, as read. */
export interface KeycloakClient {
  readonly client: LegacyRow;
  readonly redirectUris: readonly string[];
  /** client_attributes `post.logout.redirect.uris`, or undefined when the client has none. */
  readonly postLogoutRedirectUris?: string;
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
/** A Keycloak boolean column: `boolean` on PostgreSQL, `bit(1)` (a one-byte Buffer) on MySQL/MariaDB. */
export const keycloakFlag = (v: unknown): boolean => v === true || v === 't' || v === 1 || v === '1' || v === 'true' || (Buffer.isBuffer(v) && v.length === 1 && v[0] === 1);
const flag = keycloakFlag;

/** Keycloak resolves a relative redirect URI against the client's root URL. */
function absolute(uri: string, rootUrl: string): string | undefined {
  if (/^https?:\/\//.test(uri)) return uri;
  if (uri.startsWith('/') && /^https?:\/\//.test(rootUrl)) return rootUrl.replace(/\/+$/, '') + uri;
  return undefined;
}

/** Exact URIs only: cidaas compares redirect URIs exactly, Keycloak allows `*` at the end. */
function uris(values: readonly string[], rootUrl: string, what: string, clientId: string, notes: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const u = absolute(v.trim(), rootUrl);
    if (u === undefined) notes.push(`app ${clientId}: ${what} ${JSON.stringify(v)} is not an absolute http(s) URL (and no root URL makes it one); left out`);
    else if (u.includes('*')) notes.push(`app ${clientId}: ${what} ${JSON.stringify(v)} is a Keycloak wildcard; cidaas needs exact URIs: declare them under tenant.apps`);
    else if (!out.includes(u)) out.push(u);
  }
  return out;
}

/**
 * One Keycloak client as a declared app, or why it is left out. Types: a public client is a
 * SINGLE_PAGE app; a confidential one with a browser flow REGULAR_WEB; a confidential one with
 * only the service account NON_INTERACTIVE. Grants follow the flow switches. Bearer-only
 * clients (resource servers: no login), SAML clients and disabled ones are left out with a note.
 */
export function keycloakApp(k: KeycloakClient, scopes: readonly string[]): { app?: TenantApp; notes: string[] } {
  const c = k.client;
  const clientId = text(c['client_id']);
  const name = text(c['name']);
  if (KEYCLOAK_BUILT_IN_CLIENTS.has(clientId) || name.startsWith('${client_') || (flag(c['bearer_only']) && clientId.endsWith('-realm'))) {
    return { notes: [`app ${clientId}: a Keycloak built-in client; not migrated`] };
  }
  const protocol = text(c['protocol']) || 'openid-connect';
  if (protocol !== 'openid-connect') return { notes: [`app ${clientId}: a ${protocol} client; cidaas apps are OAuth 2.0/OIDC clients, so it is not migrated`] };
  if (!flag(c['enabled'])) return { notes: [`app ${clientId}: disabled in Keycloak; not migrated (declare it under tenant.apps to migrate it anyway)`] };
  if (flag(c['bearer_only'])) return { notes: [`app ${clientId}: bearer-only (a resource server nobody logs in to); not migrated`] };
  const isPublic = flag(c['public_client']);
  const standard = flag(c['standard_flow_enabled']);
  const implicit = flag(c['implicit_flow_enabled']);
  const direct = flag(c['direct_access_grants_enabled']);
  const service = !isPublic && flag(c['service_accounts_enabled']);
  const grants = [
    ...(standard ? ['authorization_code'] : []), ...(implicit ? ['implicit'] : []), ...(direct ? ['password'] : []),
    ...(service ? ['client_credentials'] : []), ...(standard || direct ? ['refresh_token'] : []),
  ];
  if (grants.length === 0) return { notes: [`app ${clientId}: no flow is enabled in Keycloak; not migrated`] };
  const type = isPublic ? 'SINGLE_PAGE' : standard || implicit ? 'REGULAR_WEB' : service ? 'NON_INTERACTIVE' : 'REGULAR_WEB';
  const notes: string[] = [];
  const rootUrl = text(c['root_url']);
  const redirectUris = uris(k.redirectUris, rootUrl, 'redirect URI', clientId, notes);
  const logout = k.postLogoutRedirectUris === undefined ? [] : k.postLogoutRedirectUris.split('##').filter((u) => u !== '');
  const logoutUris = logout.includes('+')
    ? [...redirectUris, ...uris(logout.filter((u) => u !== '+'), rootUrl, 'post-logout redirect URI', clientId, notes).filter((u) => !redirectUris.includes(u))]
    : uris(logout, rootUrl, 'post-logout redirect URI', clientId, notes);
  const secret = text(c['secret']);
  const authenticator = text(c['client_authenticator_type']) || 'client-secret';
  let clientSecret: Secret | undefined;
  if (!isPublic) {
    if (secret.startsWith('${vault.')) notes.push(`app ${clientId}: its secret is a Keycloak vault reference and cannot be read here; cidaas keeps or makes its own (give the application the new one)`);
    else if (authenticator !== 'client-secret' && authenticator !== 'client-secret-jwt') notes.push(`app ${clientId}: authenticates with ${authenticator} in Keycloak, which cidaas-sync does not migrate; cidaas makes a client secret`);
    else if (secret) clientSecret = new Secret(secret);
  }
  const app: TenantApp = {
    clientId, name: name || clientId, type, ...(clientSecret ? { clientSecret } : {}),
    redirectUris, logoutUris, scopes: [...scopes], grantTypes: grants, socialProviders: [], customProviders: [],
  };
  return { app, notes };
}

/** The realm's clients with their redirect and post-logout URIs, in three reads. */
export async function readKeycloakClients(dialect: SqlDialect, realmId: string, db: KeycloakDb): Promise<KeycloakClient[]> {
  const t = (name: string): string => dialect.quoteTable(keycloakTable(db, name));
  const q = (name: string): string => dialect.quoteIdent(name);
  const p1 = dialect.placeholder(1);
  const p2 = dialect.placeholder(2);
  const clients = await dialect.query(`SELECT * FROM ${t('client')} WHERE ${q('realm_id')} = ${p1} ORDER BY ${q('client_id')}`, [realmId]);
  const redirects = await dialect.query(
    `SELECT r.${q('client_id')} AS cid, r.${q('value')} AS uri FROM ${t('redirect_uris')} r JOIN ${t('client')} c ON c.${q('id')} = r.${q('client_id')} WHERE c.${q('realm_id')} = ${p1} ORDER BY r.${q('value')}`,
    [realmId],
  );
  const logout = await dialect.query(
    `SELECT a.${q('client_id')} AS cid, a.${q('value')} AS uris FROM ${t('client_attributes')} a JOIN ${t('client')} c ON c.${q('id')} = a.${q('client_id')} WHERE c.${q('realm_id')} = ${p1} AND a.${q('name')} = ${p2}`,
    [realmId, 'post.logout.redirect.uris'],
  );
  return clients.map(lowerCaseKeys).map((client) => {
    const id = text(client['id']);
    const attr = logout.find((r) => text(r['cid']) === id);
    return {
      client,
      redirectUris: redirects.filter((r) => text(r['cid']) === id).map((r) => text(r['uri'])),
      ...(attr && attr['uris'] !== null ? { postLogoutRedirectUris: text(attr['uris']) } : {}),
    };
  });
}
