import { readFileSync } from 'node:fs';

/** This tool's version, from package.json (found from the sources and from the built dist/). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cidaas-sync' && pkg.version) return pkg.version;
    } catch {
      // Not at this level: try the next.
    }
  }
  return 'unknown';
})();
