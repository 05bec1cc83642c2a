import type { AppsFrom, TenantApp } from '../../config/tenant-schema.js';
import type { LegacyRow } from '../legacy-reader.js';
import { Secret } from '../secret.js';
import type { SqlDialect } from '../sql-dialect.js';

/** Django OAuth Toolkit's grant names → cidaas grant types. */
const GRANTS: Record<string, string[]> = {
  'authorization-code': ['authorization_code', 'refresh_token'],
  implicit: ['implicit'],
  password: ['password', 'refresh_token'],
  'client-credentials': ['client_credentials'],
  'openid-hybrid': ['authorization_code', 'implicit', 'refresh_token'],
};

/** A Django password hasher's prefix: Django OAuth Toolkit 2.x stores the client secret hashed by default. */
const HASHED = /^(pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt|sha1|md5)\$/;

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const uris = (v: unknown): string[] => text(v).split(/\s+/).filter((u) => /^https?:\/\//.test(u));

/** One `oauth2_provider_application` row as a declared app, with why its secret is left out when it is. */
export function djangoOAuthApp(row: LegacyRow, scopes: readonly string[]): { app: TenantApp; note?: string } {
  const grant = text(row['authorization_grant_type']);
  const confidential = text(row['client_type']) === 'confidential';
  const type = grant === 'client-credentials' ? 'NON_INTERACTIVE' : confidential ? 'REGULAR_WEB' : 'SINGLE_PAGE';
  const secret = text(row['client_secret']);
  const hashed = HASHED.test(secret);
  const clientId = text(row['client_id']);
  const app: TenantApp = {
    clientId, name: text(row['name']) || clientId, type,
    ...(confidential && secret && !hashed ? { clientSecret: new Secret(secret) } : {}),
    redirectUris: uris(row['redirect_uris']), logoutUris: uris(row['post_logout_redirect_uris']),
    scopes: [...scopes], grantTypes: GRANTS[grant] ?? ['authorization_code', 'refresh_token'], socialProviders: [], customProviders: [],
  };
  return hashed && confidential
    ? { app, note: `app ${clientId}: its secret is stored hashed in the legacy database and cannot be migrated; cidaas keeps or makes its own (give the application the new one)` }
    : { app };
}

/** Reads the apps of `from.apps` from the legacy database (one SELECT, filtered). */
export async function readLegacyApps(dialect: SqlDialect, from: Extract<AppsFrom, { kind: 'django-oauth-toolkit' }>): Promise<{ apps: TenantApp[]; notes: string[] }> {
  const conds = Object.keys(from.filter).map((c, i) => `${dialect.quoteIdent(c)} = ${dialect.placeholder(i + 1)}`);
  const rows = await dialect.query(
    `SELECT * FROM ${dialect.quoteTable(from.table)}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY ${dialect.quoteIdent('client_id')}`,
    Object.values(from.filter),
  );
  const apps: TenantApp[] = [];
  const notes: string[] = [];
  for (const row of rows) {
    const r = djangoOAuthApp(row, from.scopes);
    apps.push(r.app);
    if (r.note) notes.push(r.note);
  }
  return { apps, notes };
}
