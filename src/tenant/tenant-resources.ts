import type { TenantConfig } from '../../config/tenant-schema.js';
import type { Secret } from '../secret.js';

/** The two cidaas API generations: apps and providers have other endpoints and shapes on 4.x. */
export type ApiGeneration = 3 | 4;

/** The kinds of tenant object, in the order they are applied (dependencies first). */
export const KINDS = ['role', 'groupType', 'group', 'field', 'socialProvider', 'customProvider', 'app'] as const;
export type ResourceKind = (typeof KINDS)[number];

/** Company details cidaas requires on every app. */
export interface Company { name: string; address: string; website: string }

/** One declared tenant object, ready to be compared and sent. */
export interface DesiredResource {
  readonly kind: ResourceKind;
  /** What identifies it in the tenant: role, groupType, groupId, fieldKey, provider name, client_id. */
  readonly key: string;
  /** The body to send, for the given generation, without secrets (see {@link secrets}). */
  body(gen: ApiGeneration): Record<string, unknown>;
  /** Secret body fields by dotted path (`client_secret`, `oauth2.client_secret`), added only when sending. */
  secrets(gen: ApiGeneration): Record<string, Secret>;
  /** Groups are applied parents first: the key of the parent in the same declaration, if any. */
  readonly dependsOn?: string;
}

const confidentialTypes = new Set(['REGULAR_WEB', 'NON_INTERACTIVE', 'THIRD_PARTY', 'DEVICE']);

/** True for app types that hold a client secret (server-side apps). */
export function isConfidential(type: string): boolean {
  return confidentialTypes.has(type);
}

/**
 * The declared objects of `tenant:`, in apply order. `company` is required by cidaas on every app;
 * `apps` may hold apps read from the legacy database (`from:`) besides the declared ones.
 */
export function desiredResources(t: Pick<TenantConfig, 'fields' | 'roles' | 'groupTypes' | 'groups' | 'socialProviders' | 'customProviders'> & { apps: TenantConfig['apps'] }, company: Company): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const r of t.roles) out.push({ kind: 'role', key: r.role, body: () => ({ role: r.role, name: r.name, description: r.description }), secrets: () => ({}) });
  for (const g of t.groupTypes) {
    out.push({ kind: 'groupType', key: g.groupType, secrets: () => ({}),
      body: () => ({ groupType: g.groupType, roleMode: g.roleMode, allowedRoles: g.allowedRoles, description: g.description }) });
  }
  const groups = new Map(t.groups.map((g) => [g.groupId, g]));
  const ordered: (typeof t.groups)[number][] = [];
  const visit = (id: string, seen: Set<string>): void => {
    const g = groups.get(id);
    if (!g || ordered.includes(g)) return;
    if (seen.has(id)) throw new Error(`tenant.groups: ${id} is its own ancestor (parentId loop)`);
    seen.add(id);
    visit(g.parentId, seen);
    ordered.push(g);
  };
  for (const g of t.groups) visit(g.groupId, new Set());
  for (const g of ordered) {
    out.push({ kind: 'group', key: g.groupId, ...(groups.has(g.parentId) ? { dependsOn: g.parentId } : {}), secrets: () => ({}),
      body: () => ({ groupId: g.groupId, groupName: g.name, groupType: g.groupType, parentId: g.parentId, description: g.description }) });
  }
  for (const f of t.fields) {
    out.push({ kind: 'field', key: f.key, secrets: () => ({}), body: () => ({
      fieldKey: f.key, dataType: f.type, fieldType: 'CUSTOM', enabled: f.enabled, required: f.required, unique: f.unique, readOnly: f.readOnly,
      internal: f.internal, claimable: f.claimable, isSearchable: f.searchable, ...(f.order !== undefined ? { order: f.order } : {}),
      parent_group_id: 'DEFAULT', scopes: [],
      localeTexts: Object.entries(f.labels).map(([locale, name]) => ({ locale, name, required: f.required })),
      fieldDefinition: {
        ...(f.minLength !== undefined ? { minLength: f.minLength } : {}), ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        ...(f.regex !== undefined ? { regex: f.regex } : {}), ...(f.options ? { attributesKeys: f.options } : {}),
      },
    }) });
  }
  for (const p of t.socialProviders) {
    const name = p.name ?? p.provider;
    out.push({ kind: 'socialProvider', key: name, secrets: () => ({ client_secret: p.clientSecret }),
      body: () => ({ provider_name: p.provider, name, client_id: p.clientId, enabled: p.enabled, scopes: p.scopes }) });
  }
  for (const p of t.customProviders) {
    out.push({
      kind: 'customProvider', key: p.name,
      secrets: (gen): Record<string, Secret> => (gen === 3 ? { client_secret: p.clientSecret } : { 'oauth2.client_secret': p.clientSecret }),
      body: (gen) => {
        const endpoints = { client_id: p.clientId, authorization_endpoint: p.authorizationEndpoint, token_endpoint: p.tokenEndpoint,
          ...(p.userinfoEndpoint ? { userinfo_endpoint: p.userinfoEndpoint } : {}) };
        const source = p.userinfoEndpoint ? 'USERINFOENDPOINT' : 'IDTOKEN';
        const common = { provider_name: p.name, display_name: p.displayName, standard_type: p.type, domains: p.domains, ...(p.logoUrl ? { logo_url: p.logoUrl } : {}) };
        return gen === 3
          ? { ...common, ...endpoints, userInfoSource: source, scopes: { scopes: p.scopes.map((s) => ({ scope_name: s, required: false, recommended: false })) } }
          : { ...common, oauth2: { ...endpoints, userinfoSource: source, scopes: p.scopes } };
      },
    });
  }
  for (const a of t.apps) {
    out.push({
      kind: 'app', key: a.clientId,
      // 4.x cannot import a chosen secret: apply asks cidaas for a new one instead.
      secrets: (gen): Record<string, Secret> => (gen === 3 && a.clientSecret ? { client_secret: a.clientSecret } : {}),
      body: (gen) => gen === 3
        ? {
          client_id: a.clientId, client_name: a.name, client_type: a.type,
          company_name: company.name, company_address: company.address, company_website: company.website,
          allowed_scopes: a.scopes, redirect_uris: a.redirectUris, allowed_logout_urls: a.logoutUris, grant_types: a.grantTypes,
          response_types: a.grantTypes.includes('authorization_code') ? ['code'] : [],
          social_providers: a.socialProviders.map((p) => ({ provider_name: p })), custom_providers: a.customProviders.map((p) => ({ provider_name: p })),
          // A real 3.x tenant kept these only when also given here (cidaas's own client does the same).
          basic_settings: { client_id: a.clientId, redirect_uris: a.redirectUris, allowed_logout_urls: a.logoutUris, allowed_scopes: a.scopes },
        }
        : {
          client_id: a.clientId, client_name: a.name, client_type: a.type, grant_types: a.grantTypes,
          scopes: { allowed_scopes: a.scopes }, redirect_uris: { redirect_uris: a.redirectUris, allowed_logout_urls: a.logoutUris },
          owner_ship_details: { company_name: company.name, company_address: company.address, company_website: company.website },
          social_providers: a.socialProviders, custom_providers: a.customProviders,
        },
    });
  }
  return out;
}
