import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The root of the package a module belongs to: the nearest directory above it that holds a
 * package.json. The same answer from the sources (`tools/throwaway/x.ts`) and from the build
 * (`dist/tools/throwaway/x.js`), where a path counted up from the module would land in dist/.
 * `module` is the module's `import.meta.url` or path.
 */
export function packageRoot(module: string | URL): string {
  const start = dirname(module instanceof URL || module.startsWith('file:') ? fileURLToPath(module) : module);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or any directory above it`);
  }
}
