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
 * it) and returns its default export. TypeScript files go through tsx's `tsImport`,
 * so they load whether or not the process runs under tsx (a built image does not).
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
    if (['.ts', '.mts', '.cts'].includes(extname(full))) {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport(url, import.meta.url);
    } else {
      mod = await import(url);
    }
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw new MappingModuleError(full, `failed to load: ${reason}`, `fix the module; \`node --import=tsx ${full}\` shows the full error`, err);
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

/** The default export; for a CommonJS module compiled from ESM, the inner `default`. */
function defaultExport(mod: unknown): unknown {
  if (mod === null || typeof mod !== 'object' || !('default' in mod)) return undefined;
  const outer = mod.default;
  if (outer !== null && typeof outer === 'object' && 'default' in outer && typeof outer.default === 'function') {
    return outer.default;
  }
  return outer;
}
