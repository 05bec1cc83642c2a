import type { TenantApp, TenantConfig, TenantCustomProvider, TenantSocialProvider } from '../../config/tenant-schema.js';
import { SyncError } from '../errors.js';
import type { SqlDialect } from '../sql-dialect.js';
import { keycloakApp, readKeycloakClients } from './keycloak-apps.js';
import { keycloakTable, type KeycloakDb } from './keycloak-names.js';
import { keycloakProvider, readKeycloakIdentityProviders } from './keycloak-providers.js';
import { readLegacyApps } from './legacy-apps.js';
import { nextendProviders, readNextendOptions } from './nextend-providers.js';
import { wordpressOptionsTable } from './wordpress-options.js';
import { readWslOptions, wslProviders } from './wsl-providers.js';

/** What `tenant.from` read from the legacy database, with what the operator should know. */
export interface LegacyTenant {
  readonly apps: TenantApp[];
  readonly socialProviders: TenantSocialProvider[];
  readonly customProviders: TenantCustomProvider[];
  readonly notes: string[];
}

/** The source's kind: it decides how some platforms' tables are spelled (Keycloak on MySQL). */
export type SourceKind = KeycloakDb['kind'];

/** One table a `tenant.from` reader reads, and the key of the configuration that makes it read. */
export interface TenantFromTable {
  /** `tenant.from.apps` or `tenant.from.providers`. */
  readonly configKey: string;
  /** As the reader names it: `schema.table` or `table` (unquoted). */
  readonly table: string;
}

/** The tables {@link readLegacyTenant} reads for `from`: what the source user must be allowed to SELECT. */
export function tenantFromTables(from: TenantConfig['from'], kind: SourceKind): TenantFromTable[] {
  const out: TenantFromTable[] = [];
  const add = (configKey: string, tables: readonly string[]): void => {
    for (const table of tables) if (!out.some((t) => t.table === table)) out.push({ configKey, table });
  };
  const a = from.apps;
  if (a?.kind === 'django-oauth-toolkit') add('tenant.from.apps', [a.table]);
  else if (a?.kind === 'keycloak') add('tenant.from.apps', ['realm', 'client', 'redirect_uris', 'client_attributes'].map((n) => keycloakTable({ kind, schema: a.schema }, n)));
  const p = from.providers;
  if (p?.kind === 'keycloak') add('tenant.from.providers', ['realm', 'identity_provider', 'identity_provider_config'].map((n) => keycloakTable({ kind, schema: p.schema }, n)));
  else if (p?.kind === 'nextend-social-login' || p?.kind === 'wordpress-social-login') add('tenant.from.providers', [wordpressOptionsTable(p.tablePrefix, p.schema)]);
  return out;
}

/** The key a social provider is declared and compared under (its unique name in cidaas). */
export const socialKey = (p: Pick<TenantSocialProvider, 'name' | 'provider'>): string => p.name ?? p.provider;

/**
 * Reads the apps and login providers `tenant.from` names. Keycloak offers every enabled
 * identity provider of a realm (but a link-only one) on every client's login page, so when both
 * come from the same Keycloak realm, each app read gets those providers.
 */
export async function readLegacyTenant(dialect: SqlDialect, from: TenantConfig['from'], kind: SourceKind): Promise<LegacyTenant> {
  try {
    for (const f of [from.apps, from.providers]) if (f?.kind === 'keycloak') await checkRealm(dialect, f.realmId, { kind, schema: f.schema });
    return await readAll(dialect, from, kind);
  } catch (err) {
    if (err instanceof SyncError) throw err;
    throw new SyncError('SETUP_PRECONDITION', `tenant.from: reading the legacy database failed: ${(err as Error).message}`, {
      cause: err,
      hint: 'check tenant.from (kind, schema, tablePrefix) against the legacy database, and that the source user may SELECT those tables (`cidaas-sync check` tries each and gives the GRANT)',
    });
  }
}

/** A realmId that is a realm's name, or no realm at all, would read nothing: say so instead. */
async function checkRealm(dialect: SqlDialect, realmId: string, db: KeycloakDb): Promise<void> {
  const realm = dialect.quoteTable(keycloakTable(db, 'realm'));
  const [id, name] = [dialect.quoteIdent('id'), dialect.quoteIdent('name')];
  const rows = await dialect.query(`SELECT ${id} AS id, ${name} AS name FROM ${realm} WHERE ${id} = ${dialect.placeholder(1)} OR ${name} = ${dialect.placeholder(2)}`, [realmId, realmId]);
  if (rows.some((r) => String(r['id']) === realmId)) return;
  const byName = rows.find((r) => String(r['name']) === realmId);
  throw new SyncError('SETUP_PRECONDITION', `tenant.from: Keycloak has no realm with id ${realmId}${byName ? ` (it is the name of realm ${String(byName['id'])})` : ''}`, {
    hint: byName ? `write realmId: ${String(byName['id'])}` : `find the id with: SELECT id, name FROM ${keycloakTable(db, 'realm')}`,
  });
}

async function readAll(dialect: SqlDialect, from: TenantConfig['from'], kind: SourceKind): Promise<LegacyTenant> {
  const out: LegacyTenant = { apps: [], socialProviders: [], customProviders: [], notes: [] };
  /** Providers an app read from the same Keycloak realm offers on its login page. */
  const loginSocial: string[] = [];
  const loginCustom: string[] = [];
  const p = from.providers;
  if (p?.kind === 'keycloak') {
    for (const idp of await readKeycloakIdentityProviders(dialect, p.realmId, { kind, schema: p.schema })) {
      const r = keycloakProvider(idp);
      if ('social' in r) {
        out.socialProviders.push(r.social);
        if (!r.linkOnly) loginSocial.push(socialKey(r.social));
      }
      if ('custom' in r) {
        out.customProviders.push(r.custom);
        if (!r.linkOnly) loginCustom.push(r.custom.name);
      }
      out.notes.push(...r.notes);
    }
  } else if (p?.kind === 'nextend-social-login' || p?.kind === 'wordpress-social-login') {
    const r = p.kind === 'nextend-social-login'
      ? nextendProviders(await readNextendOptions(dialect, p.tablePrefix, p.schema))
      : wslProviders(await readWslOptions(dialect, p.tablePrefix, p.schema));
    out.socialProviders.push(...r.providers);
    out.notes.push(...r.notes);
  }
  const a = from.apps;
  if (a?.kind === 'django-oauth-toolkit') {
    const r = await readLegacyApps(dialect, a);
    out.apps.push(...r.apps);
    out.notes.push(...r.notes);
  } else if (a?.kind === 'keycloak') {
    const sameRealm = p?.kind === 'keycloak' && p.realmId === a.realmId;
    for (const client of await readKeycloakClients(dialect, a.realmId, { kind, schema: a.schema })) {
      const r = keycloakApp(client, a.scopes);
      if (r.app) {
        out.apps.push(sameRealm ? { ...r.app, socialProviders: [...loginSocial], customProviders: [...loginCustom] } : r.app);
      }
      out.notes.push(...r.notes);
    }
  }
  return out;
}
