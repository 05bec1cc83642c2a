import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { formatPath, type ConfigIssue, type ConfigPath } from './config-path.js';

/** The tree with every reference replaced, and what that took. */
export interface SubstitutionResult {
  value: unknown;
  /** Dotted paths of the values that held a reference: never echoed in an error message. */
  substitutedPaths: Set<string>;
  issues: ConfigIssue[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${ENV_VAR}` and `${file:/path}` in every string value of the parsed YAML
 * (keys are left alone). `$${` stands for a literal `${`. A relative file path is
 * resolved against `baseDir`; the file's content loses one final newline. Problems are
 * collected, not thrown, so one run reports all of them; no message holds a value.
 */
export async function substituteVariables(
  tree: unknown,
  opts: { env: NodeJS.ProcessEnv; baseDir: string; lineOf?: (path: ConfigPath) => number | undefined },
): Promise<SubstitutionResult> {
  const substitutedPaths = new Set<string>();
  const issues: ConfigIssue[] = [];

  const substituteString = async (text: string, path: ConfigPath): Promise<string> => {
    const key = formatPath(path);
    const line = opts.lineOf?.(path);
    let out = '';
    let last = 0;
    for (const match of text.matchAll(REFERENCE)) {
      out += text.slice(last, match.index);
      last = match.index + match[0].length;
      const ref = match[1];
      if (ref === undefined) {
        out += '${';
        continue;
      }
      substitutedPaths.add(key);
      out += await resolveReference(ref.trim(), key, line);
    }
    return out + text.slice(last);
  };

  const resolveReference = async (ref: string, key: string, line: number | undefined): Promise<string> => {
    if (ref.startsWith('file:')) {
      const file = ref.slice('file:'.length).trim();
      const full = isAbsolute(file) ? file : resolve(opts.baseDir, file);
      try {
        return (await readFile(full, 'utf8')).replace(/\r?\n$/, '');
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        issues.push({
          path: key,
          line,
          message: `cannot read ${full} (${reason}) for \`\${file:${file}}\`; create the file or mount the secret there and make it readable by the sidecar's user, or fix the path`,
        });
        return '';
      }
    }
    if (!ENV_NAME.test(ref)) {
      issues.push({
        path: key,
        line,
        message: `\`\${${ref}}\` is not a reference cidaas-sync knows; write \`\${ENV_VAR}\`, \`\${file:/path/to/secret}\`, or \`$\${\` for a literal \`\${\``,
      });
      return '';
    }
    const value = opts.env[ref];
    if (value === undefined || value === '') {
      issues.push({
        path: key,
        line,
        message: `environment variable ${ref} is ${value === undefined ? 'not set' : 'empty'}; export it before starting (\`export ${ref}=...\`, or \`environment:\` in the container), or write the value in place of \`\${${ref}}\``,
      });
      return '';
    }
    return value;
  };

  const walk = async (node: unknown, path: ConfigPath): Promise<unknown> => {
    if (typeof node === 'string') return substituteString(node, path);
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const [i, item] of node.entries()) out.push(await walk(item, [...path, i]));
      return out;
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        // defineProperty, not assignment: a YAML key `__proto__` must stay a plain key.
        Object.defineProperty(out, k, { value: await walk(v, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };

  const value = await walk(tree, []);
  return { value, substitutedPaths, issues };
}
