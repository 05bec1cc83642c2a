import { access } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type ErrorCode } from '../src/errors.js';
import type { MappingFunction } from './mapping-types.js';

/** A mapping module that cannot be used: missing, failing to load, or without a default function (exit 2). */
export class MappingModuleError extends ConfigError {
  override readonly code: ErrorCode = 'CONFIG_MAPPING_MODULE';

  constructor(path: string, problem: string, fix: string, cause?: unknown) {
    const message = `mapping: ${path} ${problem}`;
    super(message, [{ path: 'mapping', message: `${path} ${problem}; ${fix}` }], { hint: fix, cause });
    this.name = 'MappingModuleError';
  }
}

const EXAMPLE = 'export default function map(entity, legacy) { return entity; }';

/**
 * Imports the mapping module at `path` (an absolute path, as `Config.mapping` holds
 * it) and returns its default export. A TypeScript file loads through tsx's `tsImport`
 * where tsx is installed (a checkout), and otherwise through Node's own type stripping
 * (Node 22.18 and later, as in the image); see {@link importTypeScript}.
 * Throws {@link MappingModuleError} naming `mapping` and the path.
 */
export async function loadMappingModule(path: string): Promise<MappingFunction> {
  const full = resolve(path);
  try {
    await access(full);
  } catch (err) {
    throw new MappingModuleError(
      full,
      'does not exist or cannot be read',
      'fix `mapping:` in the configuration (a relative path is resolved against the YAML file\'s directory), or remove it',
      err,
    );
  }

  let mod: unknown;
  try {
    const url = pathToFileURL(full).href;
    mod = ['.ts', '.mts', '.cts'].includes(extname(full)) ? await importTypeScript(full, url) : await import(url);
  } catch (err) {
    if (err instanceof MappingModuleError) throw err;
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw new MappingModuleError(full, `failed to load: ${reason}`, `fix the module; \`node ${full}\` (\`node --import=tsx\` for TypeScript) shows the full error`, err);
  }

  const exported = defaultExport(mod);
  if (exported === undefined) {
    throw new MappingModuleError(full, 'has no default export', `export the mapping function as the default: \`${EXAMPLE}\``);
  }
  if (typeof exported !== 'function') {
    throw new MappingModuleError(
      full,
      `has a default export that is ${exported === null ? 'null' : typeof exported}, not a function`,
      `export the mapping function as the default: \`${EXAMPLE}\``,
    );
  }
  return exported as MappingFunction;
}

/**
 * How a TypeScript mapping module loads on Node `nodeVersion`: through tsx where it is installed
 * (a development dependency, so a checkout), else by Node itself where it strips types without a
 * flag (22.18 and 23.6 on, as the image's Node 24: erasable syntax only, no enums or namespaces),
 * else not at all (null).
 */
export function typeScriptLoader(nodeVersion: string, tsxInstalled: boolean): 'tsx' | 'node' | null {
  if (tsxInstalled) return 'tsx';
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18) ? 'node' : null;
}

/** A TypeScript mapping module, as {@link typeScriptLoader} says; a {@link MappingModuleError} where it cannot. */
async function importTypeScript(full: string, url: string): Promise<unknown> {
  let tsImport: ((specifier: string, parent: string) => Promise<unknown>) | undefined;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
  const loader = typeScriptLoader(process.versions.node, tsImport !== undefined);
  if (loader === 'tsx' && tsImport) return tsImport(url, import.meta.url);
  if (loader === 'node') return import(url);
  throw new MappingModuleError(
    full,
    `is TypeScript, which Node ${process.versions.node} cannot load without tsx`,
    'compile it to JavaScript (`npx tsc`) and point `mapping:` at the .js file, or run on Node 22.18 or later',
  );
}

/** The default export; for a CommonJS module compiled from ESM, the inner `default`. */
function defaultExport(mod: unknown): unknown {
  if (mod === null || typeof mod !== 'object' || !('default' in mod)) return undefined;
  const outer = mod.default;
  if (outer !== null && typeof outer === 'object' && 'default' in outer && typeof outer.default === 'function') {
    return outer.default;
  }
  return outer;
}
