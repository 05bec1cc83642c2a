import { PRESETS } from '../src/presets/presets.js';
import { PRESET_NAMES, type PresetName } from '../src/presets/preset-names.js';
import type { Preset, PresetParams } from '../src/presets/preset.js';
import type { ConfigIssue } from './config-path.js';

/*
 * `preset:`: a platform's sections (users, password, mfa, attributes) merged under what the
 * file says. The rules (README "Platform presets"):
 *   - mappings merge key by key, all the way down: a key the file writes wins, a key it does
 *     not write keeps the preset's value;
 *   - a list or a plain value the file writes replaces the preset's whole (ignoreColumns,
 *     ignoreNames), and so do `users.softDelete` (a rule: its column and value go together),
 *     `password.algorithm` and `mfa.enabledWhen`, which have several shapes;
 *   - `null` removes the preset's value there: `mfa: null` drops the preset's MFA,
 *     `users: { softDelete: null }` its soft-delete rule.
 */

/** Keys whose value is replaced whole rather than merged (they take several shapes). */
const REPLACED_WHOLE = new Set(['users.softDelete', 'password.algorithm', 'mfa.enabledWhen']);

/** What the preset gave the configuration in force: for `check`, `preview` and `config`. */
export interface PresetReport {
  readonly name: PresetName;
  readonly title: string;
  readonly params: PresetParams;
  readonly sources: readonly string[];
  /** Keys whose value is the preset's. */
  readonly fromPreset: readonly string[];
  /** Keys the preset sets and the file overrides. */
  readonly overridden: readonly string[];
  /** Keys the preset sets and the file removes with `null`. */
  readonly removed: readonly string[];
  /** Every key of the sections the preset fills, as in force, with where its value came from. */
  readonly effective: readonly EffectiveKey[];
}

/** One key of the configuration in force and where its value came from. */
export interface EffectiveKey {
  readonly path: string;
  /** The value (column and table names, filter values: never a secret); absent for a removed key. */
  readonly value?: unknown;
  readonly origin: 'preset' | 'file' | 'file, overrides the preset' | 'removed by the file';
}

type Tree = Record<string, unknown>;

function isMapping(v: unknown): v is Tree {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The preset named in `tree.preset` (a name or `{ name, ...params }`) and its parameters, or the issues. */
function resolvePreset(ref: unknown): { preset: Preset; params: PresetParams } | { issues: ConfigIssue[] } {
  const known = `known presets: ${PRESET_NAMES.join(', ')}`;
  const name = typeof ref === 'string' ? ref : isMapping(ref) ? ref.name : undefined;
  if (typeof name !== 'string') {
    return { issues: [{ path: 'preset', message: `must be a preset name or \`{ name: <preset>, ... }\`; ${known}` }] };
  }
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    return { issues: [{ path: typeof ref === 'string' ? 'preset' : 'preset.name', message: `\`${name}\` is not a preset; ${known}` }] };
  }
  const preset = PRESETS[name as PresetName];
  const params: PresetParams = isMapping(ref) ? (ref as PresetParams) : {};
  const issues: ConfigIssue[] = [];
  for (const key of ['tablePrefix', 'realmId', 'roles'] as const) {
    const wanted = preset.params[key];
    if (wanted === undefined && isMapping(ref) && ref[key] !== undefined) {
      issues.push({ path: `preset.${key}`, message: `is not a parameter of the ${name} preset; remove it` });
    }
    if (wanted === 'required' && (!isMapping(ref) || ref[key] === undefined)) {
      issues.push({ path: 'preset', message: `the ${name} preset needs \`${key}\`; write \`preset: { name: ${name}, ${key}: ... }\`` });
    }
  }
  return issues.length > 0 ? { issues } : { preset, params };
}

/**
 * The configuration tree with the preset's sections merged under it, and the report of which
 * keys came from where. Without `preset:` the tree comes back as it was. Parameters are
 * checked for shape by the schema afterwards; here only which preset takes which.
 */
export function applyPreset(tree: Tree): { value: Tree; report?: PresetReport; issues: ConfigIssue[] } {
  if (tree.preset === undefined || tree.preset === null) return { value: tree, issues: [] };
  const resolved = resolvePreset(tree.preset);
  if ('issues' in resolved) return { value: tree, issues: resolved.issues };
  const { preset, params } = resolved;
  // Only strings (and the boolean switches) reach the preset: the schema rejects anything else afterwards.
  const safe: PresetParams = Object.fromEntries(Object.entries(params).filter(([k, v]) => k !== 'name' && (typeof v === 'string' || typeof v === 'boolean')));
  // The source kind picks table names where a platform's differ by database (Keycloak on MySQL).
  const source = isMapping(tree.source) && tree.source.kind === 'mysql' ? 'mysql' : 'postgres';
  const fragment = preset.build(safe, { kind: source }) as Tree;
  const fromPreset: string[] = [];
  const overridden: string[] = [];
  const removed: string[] = [];
  const merge = (base: unknown, over: unknown, path: string): unknown => {
    if (over === null) { removed.push(path); return undefined; }
    if (over === undefined) { leaves(base, path, fromPreset); return base; }
    if (isMapping(base) && isMapping(over) && !REPLACED_WHOLE.has(path)) {
      const out: Tree = {};
      for (const key of new Set([...Object.keys(base), ...Object.keys(over)])) {
        if (!(key in base)) { out[key] = over[key]; continue; }
        const v = merge(base[key], over[key], `${path}.${key}`);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    overridden.push(path);
    return over;
  };
  const value: Tree = { ...tree };
  for (const [section, base] of Object.entries(fragment)) {
    const v = merge(base, tree[section], section);
    if (v === undefined) delete value[section];
    else value[section] = v;
  }
  const effective: EffectiveKey[] = [];
  const origin = (path: string): EffectiveKey['origin'] =>
    fromPreset.includes(path) ? 'preset' : overridden.includes(path) ? 'file, overrides the preset' : 'file';
  const walk = (v: unknown, path: string): void => {
    if (isMapping(v) && !REPLACED_WHOLE.has(path) && !overridden.includes(path)) for (const [k, child] of Object.entries(v)) walk(child, `${path}.${k}`);
    else effective.push({ path, value: v, origin: origin(path) });
  };
  for (const section of Object.keys(fragment)) if (value[section] !== undefined) walk(value[section], section);
  for (const path of removed) effective.push({ path, origin: 'removed by the file' });
  return {
    value,
    issues: [],
    report: { name: preset.name, title: preset.title, params: safe, sources: preset.sources, fromPreset, overridden, removed, effective },
  };
}

/** Every leaf key path under `v` (a list counts as a leaf). */
function leaves(v: unknown, path: string, out: string[]): void {
  if (isMapping(v) && !REPLACED_WHOLE.has(path)) for (const [k, child] of Object.entries(v)) leaves(child, `${path}.${k}`, out);
  else out.push(path);
}
