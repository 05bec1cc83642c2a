import { open, stat } from 'node:fs/promises';
import type { TenantConfig } from '../../config/tenant-schema.js';
import { SyncError } from '../errors.js';
import type { TenantAdminClient } from './tenant-admin-client.js';
import { planResource, type PlanEntry } from './tenant-plan.js';
import { desiredResources, isConfidential, type ApiGeneration, type DesiredResource } from './tenant-resources.js';
import type { Secret } from '../secret.js';
import { socialKey, type LegacyTenant } from './legacy-tenant.js';

/**
 * The declared objects, with the apps and providers read from the legacy database added. A
 * declared entry wins over a read one with the same client id or provider name (the read one is
 * dropped, and `notes` says so).
 */
export function declared(t: TenantConfig, legacy: Partial<LegacyTenant> = {}, notes: string[] = []): DesiredResource[] {
  const merge = <T>(mine: readonly T[], read: readonly T[] | undefined, key: (x: T) => string, what: string, section: string): T[] => {
    const keys = new Set(mine.map(key));
    const kept = (read ?? []).filter((x) => {
      if (!keys.has(key(x))) return true;
      notes.push(`${what} ${key(x)}: declared under tenant.${section}, which wins over the one read from the legacy database`);
      return false;
    });
    return [...mine, ...kept];
  };
  const apps = merge(t.apps, legacy.apps, (a) => a.clientId, 'app', 'apps');
  const socialProviders = merge(t.socialProviders, legacy.socialProviders, socialKey, 'socialProvider', 'socialProviders');
  const customProviders = merge(t.customProviders, legacy.customProviders, (p) => p.name, 'customProvider', 'customProviders');
  if (apps.length && !t.company) {
    throw new SyncError('SETUP_PRECONDITION', 'tenant.company is missing: cidaas requires a company name, address and website on every app', {
      hint: 'add `company: { name: "ACME GmbH", address: "Street 1, City", website: "https://acme.example" }` under tenant:',
    });
  }
  return desiredResources({ ...t, apps, socialProviders, customProviders }, t.company ?? { name: '', address: '', website: '' });
}

/** The generation the tenant runs, from the setting or asked. */
export async function generationOf(t: TenantConfig, client: TenantAdminClient): Promise<ApiGeneration> {
  return t.apiGeneration === 'auto' ? client.detectGeneration() : (Number(t.apiGeneration) as ApiGeneration);
}

/** Reads each declared object from the tenant and compares. */
export async function planTenant(client: TenantAdminClient, resources: readonly DesiredResource[], gen: ApiGeneration): Promise<PlanEntry[]> {
  const out: PlanEntry[] = [];
  for (const d of resources) out.push(planResource(d, await client.read(d.kind, d.key, gen), gen));
  return out;
}

function withSecrets(body: Record<string, unknown>, secrets: Record<string, Secret>): Record<string, unknown> {
  const out = structuredClone(body);
  for (const [path, secret] of Object.entries(secrets)) {
    const parts = path.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = secret.reveal();
  }
  return out;
}

/**
 * Appends a generated client secret to the operator's secrets file: created 0600 if new (never
 * readable by others), refused if it exists readable by group or others. One JSON line per app.
 */
async function writeSecret(file: string, clientId: string, secret: Secret): Promise<void> {
  const existing = await stat(file).catch(() => null);
  if (existing && (existing.mode & 0o077) !== 0) {
    throw new SyncError('SETUP_PRECONDITION', `tenant.secretsFile ${file} is readable by group or others (mode ${(existing.mode & 0o777).toString(8)})`, {
      hint: `chmod 600 ${file}, or name a new file`,
    });
  }
  const h = await open(file, 'a', 0o600);
  try {
    await h.write(JSON.stringify({ client_id: clientId, client_secret: secret.reveal(), created_at: new Date().toISOString() }) + '\n');
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Applies the declaration in dependency order: each object is read, compared and written only
 * when it differs; nothing is ever deleted. Stops at the first refusal (the error names cidaas's
 * code and the fix); what was applied before stays, so a re-run resumes. On 4.x, a confidential
 * app created here gets a new secret, appended once to `tenant.secretsFile`.
 */
export async function applyTenant(client: TenantAdminClient, resources: readonly DesiredResource[], gen: ApiGeneration, t: TenantConfig,
  onEntry: (e: PlanEntry) => void = () => undefined): Promise<PlanEntry[]> {
  const needsSecret = gen === 4 && resources.some((d) => d.kind === 'app' && isConfidential(String(d.body(gen)['client_type'])));
  if (needsSecret && !t.secretsFile) {
    throw new SyncError('SETUP_PRECONDITION', 'cidaas 4.x cannot import client secrets: apply must create new ones and needs tenant.secretsFile to write them to (mode 0600)', {
      hint: 'set tenant.secretsFile: /run/secrets/cidaas-app-secrets.jsonl (a path only the operator can read)',
    });
  }
  const done: PlanEntry[] = [];
  for (const d of resources) {
    const existing = await client.read(d.kind, d.key, gen);
    const entry = planResource(d, existing, gen);
    if (entry.action !== 'unchanged') await client.write(d.kind, d.key, gen, withSecrets(d.body(gen), d.secrets(gen)), existing);
    if (entry.action === 'create' && d.kind === 'app' && gen === 4 && isConfidential(String(d.body(gen)['client_type']))) {
      await writeSecret(t.secretsFile!, d.key, await client.newAppSecret(d.key));
    }
    done.push(entry);
    onEntry(entry);
  }
  return done;
}
