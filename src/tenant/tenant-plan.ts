import { isConfidential, type ApiGeneration, type DesiredResource, type ResourceKind } from './tenant-resources.js';

/** One field that differs between the declaration and the tenant. Secret values are never carried. */
export interface FieldChange {
  /** Dotted path in the wire body, e.g. `localeTexts` or `oauth2.client_secret`. */
  readonly path: string;
  /** The tenant's value (JSON), or undefined when it has none; omitted for secrets. */
  readonly from?: string;
  /** The declared value (JSON); omitted for secrets. */
  readonly to?: string;
  readonly secret: boolean;
}

/** What `setup` would do with one object. */
export interface PlanEntry {
  readonly kind: ResourceKind;
  readonly key: string;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly changes: readonly FieldChange[];
  /** Things the operator should know (a secret that cannot be compared or imported). */
  readonly notes: readonly string[];
}

function normalise(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalise);
    return items.map((x) => JSON.stringify(x)).sort().map((x) => JSON.parse(x) as unknown);
  }
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, normalise(x)]));
  }
  return v;
}

/** Leaves of a body by dotted path; arrays are leaves (compared as sets), objects are walked. */
export function flatten(body: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(body)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [p, x] of flatten(v as Record<string, unknown>, path)) out.set(p, x);
    else if (v !== undefined) out.set(path, JSON.stringify(normalise(v)));
  }
  return out;
}

/**
 * Compares one declared object with what the tenant holds (null: not there). Only what the
 * declaration says is compared: fields the tenant adds on its own (ids, timestamps) are left
 * alone. A secret is compared only when the tenant returns it, and reported as "changed" only.
 */
export function planResource(d: DesiredResource, existing: Record<string, unknown> | null, gen: ApiGeneration): PlanEntry {
  const notes: string[] = [];
  const secrets = d.secrets(gen);
  if (d.kind === 'app' && gen === 4) {
    const body = d.body(gen);
    if (existing === null && isConfidential(String(body['client_type']))) {
      notes.push('cidaas 4.x cannot import a client secret: apply creates a new one and writes it once to tenant.secretsFile; hand it to the application');
    }
  }
  if (existing === null) return { kind: d.kind, key: d.key, action: 'create', changes: [], notes };
  const want = flatten(d.body(gen));
  const have = flatten(existing);
  const changes: FieldChange[] = [];
  for (const [path, to] of want) {
    const from = have.get(path);
    if (from !== to) changes.push({ path, ...(from === undefined ? {} : { from }), to, secret: false });
  }
  for (const [path, secret] of Object.entries(secrets)) {
    const current = path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), existing);
    if (typeof current !== 'string') notes.push(`${path}: cidaas does not return it, so it is not compared (apply sends it with every update)`);
    else if (current !== secret.reveal()) changes.push({ path, secret: true });
  }
  return { kind: d.kind, key: d.key, action: changes.length ? 'update' : 'unchanged', changes, notes };
}

/** The plan as the operator reads it: one line per object, one indented line per changed field. */
export function formatPlan(entries: readonly PlanEntry[]): string {
  const lines: string[] = [];
  const sign = { create: '+', update: '~', unchanged: '=' } as const;
  for (const e of entries) {
    lines.push(`${sign[e.action]} ${e.kind} ${e.key}: ${e.action === 'unchanged' ? 'no change' : e.action}`);
    for (const c of e.changes) lines.push(c.secret ? `    ${c.path}: changed` : `    ${c.path}: ${c.from ?? '(not set)'} -> ${c.to ?? ''}`);
    for (const n of e.notes) lines.push(`    note: ${n}`);
  }
  const count = (a: PlanEntry['action']): number => entries.filter((e) => e.action === a).length;
  lines.push('', `${count('create')} to create, ${count('update')} to change, ${count('unchanged')} unchanged; nothing is ever deleted`);
  return lines.join('\n');
}
