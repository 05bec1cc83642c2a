import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../../config/format-issues.js';
import { substituteVariables } from '../../config/substitute-variables.js';
import { verifierSchema, type VerifierConfig } from '../../config/verifier-schema.js';
import { ConfigError } from '../errors.js';

// Only `verifier:` is read and substituted: the service runs next to cidaas, where the
// legacy database's ${LEGACY_DB_PASSWORD} and the like need not exist.
const fileSchema = z.object({ verifier: verifierSchema.prefault({}) });

/** The `verifier:` section's defaults, for a verifier started without --config. */
export function defaultVerifierConfig(): VerifierConfig {
  return verifierSchema.parse({});
}

/**
 * Reads the `verifier:` section of the YAML configuration at `path` (other sections are
 * left to `check` and `run`). Problems end in one {@link ConfigError} (exit 2).
 */
export async function loadVerifierConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<VerifierConfig> {
  const full = resolve(path);
  const file = full;
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the configuration file ${full} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, [], {
      hint: 'pass --config with the YAML file that holds the `verifier:` section, or leave --config out for the defaults',
      cause: err,
    });
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(`${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0] ?? ''}`);
  const tree: unknown = doc.toJS();
  const section = tree !== null && typeof tree === 'object' && !Array.isArray(tree) ? (tree as Record<string, unknown>)['verifier'] : undefined;
  const substituted = await substituteVariables({ verifier: section ?? {} }, { env, baseDir: dirname(full) });
  const issues = [...substituted.issues];
  let config: VerifierConfig | undefined;
  if (issues.length === 0) {
    const result = fileSchema.safeParse(substituted.value);
    if (result.success) config = result.data.verifier;
    else issues.push(...formatIssues(result.error.issues, { schema: fileSchema, input: substituted.value, hiddenPaths: substituted.substitutedPaths }));
  }
  if (config === undefined) {
    const lines = issues.map((i) => `  - ${i.path === '' ? '' : `${i.path}: `}${i.message}`);
    throw new ConfigError(`${file} has ${issues.length === 1 ? 'a problem' : `${issues.length} problems`}:\n${lines.join('\n')}`, issues, {
      hint: 'fix each key listed; config/postgres.example.yaml shows the verifier section with a comment per key',
    });
  }
  return config;
}
