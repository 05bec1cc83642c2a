import type { z } from 'zod';
import { CIDAAS_USER_FIELDS } from './cidaas-user-fields.js';
import { formatPath, type ConfigIssue, type ConfigPath } from './config-path.js';
import { hintFor } from './config-hints.js';
import { didYouMean } from './did-you-mean.js';
import { knownKeys } from './known-keys.js';

/** What the formatter needs besides the issues. */
export interface FormatContext {
  /** The schema that produced the issues: it knows the allowed keys. */
  schema: z.ZodType;
  /** The parsed input, to describe what was written. */
  input: unknown;
  /** Paths whose values must never be echoed: secrets, and anything from `${...}`. */
  hiddenPaths: ReadonlySet<string>;
  /** The YAML line of a path, for the message. */
  lineOf?: (path: ConfigPath) => number | undefined;
}

/** Keys whose values are secret wherever they come from. */
const SECRET_PATHS = new Set(['source.url', 'cidaas.clientSecret', 'state.url']);

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (indented `key: value` lines)',
  record: 'a mapping (indented `key: value` lines)',
  array: 'a list (`[a, b]` or `- a` lines)',
};

/**
 * Turns zod's issues into one line per problem: `<what is wrong> (<why>); write e.g.
 * \`<example>\``, keyed by the dotted path. Values are echoed only when they are short,
 * not secret and not substituted from the environment or a file.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], ctx: FormatContext): ConfigIssue[] {
  return issues.flatMap((issue) => formatIssue(issue, ctx));
}

function formatIssue(issue: z.core.$ZodIssue, ctx: FormatContext): ConfigIssue[] {
  const path = issue.path;
  const hint = hintFor(path);
  const lastKey = path.at(-1);
  const why = hint?.why ? ` (${hint.why})` : '';
  const write = hint ? `; write e.g. \`${hint.example.replace('$key', String(lastKey))}\`` : '';
  const at = (message: string, where: ConfigPath = path): ConfigIssue => ({
    path: formatPath(where),
    message,
    line: ctx.lineOf?.(where),
  });
  const value = valueAt(ctx.input, path);
  const got = shown(value, path, ctx);

  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return [at(`missing${why}${write}`)];
      return [at(`must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describeType(value)}${got && ` (${got})`}${why}${write}`)];
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return [at(`must not be empty${why}${write}`)];
      return [at(`must be at least ${issue.minimum}${unit(issue.origin)}${got && `, not ${got}`}${why}${write}`)];
    case 'too_big':
      return [at(`must be at most ${issue.maximum}${unit(issue.origin)}${got && `, not ${got}`}${why}${write}`)];
    case 'invalid_value':
      return [at(`must be ${oneOf(issue.values)}${got && `, not ${got}`}${why}${write}`)];
    case 'unrecognized_keys':
      return issue.keys.map((key) => at(unknownKeyMessage(path, key, ctx), [...path, key]));
    case 'invalid_key': {
      // The example for a map's entry would repeat the bad key: show the map's own.
      const mapHint = hintFor(path.slice(0, -1));
      const mapWrite = mapHint ? `; write e.g. \`${mapHint.example}\`` : '';
      return [at(`${issue.issues[0]?.message ?? 'is not an allowed key'}${mapWrite}`)];
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options !== undefined) {
        if (value === undefined) return [at(`missing; must be ${oneOf(issue.options)}${write}`)];
        return [at(`must be ${oneOf(issue.options)}${got && `, not ${got}`}${write}`)];
      }
      const branch = matchingBranch(issue.errors);
      // Paths inside a union's branches are relative to the union.
      if (branch) return formatIssues(branch.map((e) => ({ ...e, path: [...path, ...e.path] })), ctx);
      const first = issue.errors.flat().find((e) => e.code === 'invalid_format')?.message;
      return [at(`${first ?? `has the wrong form${why}`}${write}`)];
    }
    case 'custom':
      return [at(issue.params?.complete === true ? issue.message : `${issue.message}${why}${write}`)];
    default:
      return [at(`${issue.message}${why}${write}`)];
  }
}

function unknownKeyMessage(parent: ConfigPath, key: string, ctx: FormatContext): string {
  const known = knownKeys(ctx.schema, parent, ctx.input);
  const parentName = formatPath(parent);
  if (parentName === 'users.fields' || parentName === 'attributes.fields') {
    const guess = didYouMean(key, CIDAAS_USER_FIELDS);
    const allowed = `allowed: ${CIDAAS_USER_FIELDS.join(', ')} (put anything else under customFields)`;
    return `unknown cidaas field; ${guess ? `did you mean \`${guess}\`? A` : 'a'}${allowed.slice(1)}`;
  }
  const elsewhere = known?.variants?.filter((v) => v.keys.includes(key)).map((v) => v.value);
  if (elsewhere && elsewhere.length > 0) {
    const kind = valueAt(ctx.input, [...parent, 'kind']);
    return `is only for kind ${elsewhere.join(' or ')}, and this is kind ${String(kind)}; remove it`;
  }
  if (!known) return 'unknown key; remove it';
  const guess = didYouMean(key, known.keys);
  if (guess) return `unknown key; did you mean \`${guess}\`?`;
  return `unknown key; allowed here: ${known.keys.join(', ')}`;
}

/**
 * Of a union's failed branches, the one the input was meant for: the only branch that
 * got past the type check at the union's own path. Undefined when that is not clear.
 */
function matchingBranch(branches: readonly z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const typeMatched = branches.filter(
    (errs) => !errs.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')),
  );
  return typeMatched.length === 1 ? typeMatched[0] : undefined;
}

function valueAt(input: unknown, path: ConfigPath): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** `\`x\`` for a short plain value that is safe to print, else the empty string. */
function shown(value: unknown, path: ConfigPath, ctx: FormatContext): string {
  const key = formatPath(path);
  if (SECRET_PATHS.has(key) || ctx.hiddenPaths.has(key)) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${value}\``;
  if (typeof value === 'string' && value.length <= 60 && !/[\r\n`]/.test(value)) return `\`${value}\``;
  return '';
}

function describeType(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number with a fraction';
  return typeof value === 'boolean' ? 'true/false' : typeof value;
}

function oneOf(values: readonly unknown[]): string {
  const names = values.map((v) => `\`${String(v)}\``);
  return names.length === 1 ? (names[0] ?? '') : `one of ${names.join(', ')}`;
}

function unit(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array') return ' entries';
  return '';
}
