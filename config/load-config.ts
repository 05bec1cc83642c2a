import { DatabaseUrl } from '../src/security/database-url.js';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../src/errors.js';
import { redactUrl } from './config-fields.js';
import type { ConfigIssue, ConfigPath } from './config-path.js';
import { applyPreset, type PresetReport } from './apply-preset.js';
import { configSchema, type Config } from './config-schema.js';
import { deepFreeze } from './deep-freeze.js';
import { formatIssues } from './format-issues.js';
import { substituteVariables } from './substitute-variables.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Directory relative paths (`mapping`, `state.url` for sqlite, `${file:...}`) are resolved against. */
  baseDir: string;
  /** Where `${ENV_VAR}` values come from. */
  env: NodeJS.ProcessEnv;
  /** The file name shown in error messages. */
  file?: string;
}

const EXAMPLES = 'config/postgres.example.yaml and config/mysql.example.yaml show every key with a comment';

/**
 * Reads, substitutes and validates the YAML configuration at `path`; returns it
 * deep-frozen. Every problem is reported at once in one {@link ConfigError} (exit 2).
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`cannot read the configuration file ${full} (${reason})`, [], {
      hint: 'pass --config with the path of your YAML file; start from a copy of config/postgres.example.yaml or config/mysql.example.yaml',
      cause: err,
    });
  }
  return parseConfig(text, { baseDir: dirname(full), env, file: full });
}

/** {@link loadConfig} for YAML text in hand (tests, `preview`). */
export async function parseConfig(text: string, opts: ParseConfigOptions): Promise<Config> {
  const file = opts.file ?? 'the configuration';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): ConfigIssue => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '', line: pos.line, message: `line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0] ?? ''}; fix the YAML syntax there (indent with spaces, quote values that contain \`: \` or \` #\`)` };
    });
    throw invalid(file, issues);
  }
  const lineOf = (path: ConfigPath): number | undefined => lineAt(doc, lineCounter, path);

  const tree: unknown = doc.toJS();
  if (tree === null || tree === undefined) {
    throw invalid(file, [{ path: '', message: 'the file is empty; copy config/postgres.example.yaml or config/mysql.example.yaml and fill it in' }]);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw invalid(file, [{ path: '', message: 'the top level must be a mapping of keys (`source:`, `users:`, `cidaas:`, ...)' }]);
  }

  const tenantFile = await readTenantFile(tree as Record<string, unknown>, opts.baseDir);
  if (tenantFile.issues.length > 0) throw invalid(file, tenantFile.issues.map((i) => ({ ...i, line: lineOf(['tenant']) })));

  const substituted = await substituteVariables(tree, { env: opts.env, baseDir: opts.baseDir, lineOf });
  if (substituted.issues.length > 0) throw invalid(file, substituted.issues);

  const preset = applyPreset(substituted.value as Record<string, unknown>);
  if (preset.issues.length > 0) throw invalid(file, preset.issues.map((i) => ({ ...i, line: lineOf(i.path.split('.')) })));
  const result = configSchema.safeParse(preset.value);
  if (!result.success) {
    const issues = formatIssues(result.error.issues, {
      schema: configSchema,
      input: preset.value,
      hiddenPaths: substituted.substitutedPaths,
      lineOf,
    });
    throw invalid(file, issues);
  }
  const config = deepFreeze(withoutUndefined(resolvePaths(result.data, opts.baseDir))) as Config;
  if (preset.report) PRESET_REPORTS.set(config, preset.report);
  return config;
}

/**
 * `tenant: ./tenant.yaml`: the tenant's setup kept in a file of its own (it changes at another pace
 * than the sync and may be reviewed by other people). The path is relative to the configuration
 * file; the file holds what `tenant:` would, and `${ENV}` / `${file:...}` work in it as here.
 * Replaces the string in `tree` with the file's mapping.
 */
async function readTenantFile(tree: Record<string, unknown>, baseDir: string): Promise<{ issues: ConfigIssue[] }> {
  const name = tree['tenant'];
  if (typeof name !== 'string') return { issues: [] };
  const path = resolve(baseDir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    return { issues: [{ path: 'tenant', message: `cannot read the tenant file ${path} (${reason}); give its path relative to this configuration file, or write the tenant: mapping here` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: 'tenant', message: `${path}, line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0] ?? ''}; fix the YAML syntax there` };
      }),
    };
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { issues: [{ path: 'tenant', message: `${path} must hold a mapping (fields:, roles:, apps:, ...), as tenant: would` }] };
  }
  tree['tenant'] = value;
  return { issues: [] };
}

const PRESET_REPORTS = new WeakMap<Config, PresetReport>();

/** Which preset `config` was built from and which of its keys the file overrode; undefined without `preset:`. */
export function presetReportOf(config: Config): PresetReport | undefined {
  return PRESET_REPORTS.get(config);
}

function invalid(file: string, issues: ConfigIssue[]): ConfigError {
  const lines = issues.map((i) => `  - ${i.path === '' ? '' : `${i.path}: `}${i.message}${i.line !== undefined && i.path !== '' ? ` (line ${i.line})` : ''}`);
  const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
  return new ConfigError(`${file} has ${count}:\n${lines.join('\n')}`, issues, { hint: `fix each key listed; ${EXAMPLES}` });
}

type Parsed = ReturnType<typeof configSchema.parse>;

/** Makes `mapping` and a sqlite `state.url` absolute, relative to the YAML file's directory. */
function resolvePaths(config: Parsed, baseDir: string): Parsed {
  const mapping = config.mapping === undefined || isAbsolute(config.mapping) ? config.mapping : resolve(baseDir, config.mapping);
  let state = config.state;
  if (state.kind === 'sqlite') {
    const file = state.url.reveal().slice('sqlite:'.length);
    if (file !== ':memory:' && !isAbsolute(file)) {
      const url = `sqlite:${resolve(baseDir, file)}`;
      state = { ...state, url: new DatabaseUrl(url, state.url.tls), redactedUrl: redactUrl(url) };
    }
  }
  return { ...config, mapping, state };
}

/** Drops keys whose value is undefined, so an absent section is absent, not `undefined`. */
function withoutUndefined<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}

/** The line of the deepest YAML node along `path` (the key itself where there is one). */
function lineAt(doc: Document, lineCounter: LineCounter, path: ConfigPath): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = doc.contents?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (isScalar(node) && node.range) offset = node.range[0];
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
