import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { rememberSecret } from '../src/redact/redact.js';
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
/** A value written as a URL with an authority: `scheme://...`. */
const URL_TEMPLATE = /^[a-z][a-z0-9+.-]*:\/\//i;

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
    // Inside a URL (`postgres://u:${PW}@db/x`), a value is URL-encoded: a password with @ / # ? %
    // must not end the user-info early or turn into a path, query or fragment. A value that is
    // the whole string (`${DATABASE_URL}`) is taken as written.
    const inUrl = URL_TEMPLATE.test(text);
    for (const match of text.matchAll(REFERENCE)) {
      out += text.slice(last, match.index);
      last = match.index + match[0].length;
      const ref = match[1];
      if (ref === undefined) {
        out += '${';
        continue;
      }
      substitutedPaths.add(key);
      const value = await resolveReference(ref.trim(), key, line);
      out += inUrl && match[0] !== text ? encodeURIComponent(value) : value;
    }
    return out + text.slice(last);
  };

  const resolveReference = async (ref: string, key: string, line: number | undefined): Promise<string> => {
    if (ref.startsWith('file:')) {
      const file = ref.slice('file:'.length).trim();
      const full = isAbsolute(file) ? file : resolve(opts.baseDir, file);
      try {
        const content = (await readFile(full, 'utf8')).replace(/\r?\n$/, '');
        rememberSecret(content);
        return content;
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
    rememberSecret(value);
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
