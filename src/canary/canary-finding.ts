import type { CidaasCompat } from '../cidaas/cidaas-compat.js';

/** The answer to one assumption about the tenant. */
export type CanaryVerdict = 'confirmed' | 'refuted' | 'not testable';

/** One line of the canary's output. */
export interface CanaryFinding {
  readonly verdict: CanaryVerdict;
  /** What was asked, e.g. `cidaas.compat.totpImport` or `password BCRYPT_10`. */
  readonly assumption: string;
  /** What the tenant answered; for `not testable`, what to ask cidaas support. */
  readonly detail: string;
  /** For a refuted compat setting: the value the tenant needs (write it under cidaas.compat). */
  readonly setting?: { readonly [K in keyof CidaasCompat]-?: { key: K; value: NonNullable<CidaasCompat[K]> } }[keyof CidaasCompat];
}

/** The canary's whole answer. */
export interface CanaryReport {
  /** The legacy sample: users read, key kinds, password formats, field groups, with counts. */
  readonly sample: { users: number; keys: Record<string, number>; formats: Record<string, number>; groups: Record<string, number>; invalid: number };
  readonly findings: CanaryFinding[];
  /** Canary subs that could not be removed (should be empty); they stay on record for the next run. */
  readonly leftOver: string[];
}

/** The findings as lines: one per assumption, then the settings to write. */
export function formatCanaryReport(r: CanaryReport): string {
  const list = (o: Record<string, number>): string => Object.entries(o).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const lines = [
    `legacy sample: ${r.sample.users} users${r.sample.invalid ? ` (${r.sample.invalid} cannot be pushed as mapped: see preview)` : ''}`,
    `  keys: ${list(r.sample.keys)}`,
    `  password formats: ${list(r.sample.formats)}`,
    `  field groups: ${list(r.sample.groups)}`,
    '',
  ];
  for (const f of r.findings) lines.push(`${f.verdict.padEnd(13)}${f.assumption}: ${f.detail}`);
  const settings = r.findings.filter((f) => f.verdict === 'refuted' && f.setting);
  if (settings.length > 0) {
    lines.push('', 'write under cidaas.compat:');
    for (const f of settings) lines.push(`  ${f.setting!.key}: ${f.setting!.value}`);
  }
  const count = (v: CanaryVerdict): number => r.findings.filter((f) => f.verdict === v).length;
  lines.push('', `canary: ${count('refuted')} refuted, ${count('confirmed')} confirmed, ${count('not testable')} not testable; ` +
    (r.leftOver.length === 0 ? 'every canary user removed' : `${r.leftOver.length} canary users NOT removed (the next run tries again): ${r.leftOver.join(', ')}`));
  return lines.join('\n') + '\n';
}
