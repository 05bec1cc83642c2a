/** A key path into the configuration, as zod reports it. */
export type ConfigPath = readonly PropertyKey[];

/** One problem found in the configuration. */
export interface ConfigIssue {
  /** The dotted key path, e.g. `cidaas.batchSize`; empty for a problem with the whole file. */
  path: string;
  /** What is wrong and what to write instead. Never holds a secret. */
  message: string;
  /** The 1-based line in the YAML file the problem is at, when known. */
  line?: number;
}

/** `cidaas.batchSize`, `users.ignoreColumns[2]`: the form every message uses. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
