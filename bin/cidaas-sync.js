#!/usr/bin/env node
// Entry point. It runs the compiled dist/ (`npm run build`) when that is there and current, and
// the TypeScript sources through tsx (a development dependency) otherwise:
//   - the image and an installed package have dist/ and no sources: dist/, always;
//   - a checkout after `npm run build`: dist/ while no source file is newer than the build, so an
//     edit is never hidden behind a stale build; after an edit, the sources until the next build;
//   - a checkout without a build: the sources.
// CIDAAS_SYNC_USE_DIST=1 insists on dist/ (an error if it was never built), =0 on the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
// Written by `npm run build` after the compiler finished: the time of the last complete build.
const stamp = join(root, 'dist', '.built');
// What the build compiles (tsconfig.build.json "include").
const SOURCE_DIRS = ['src', 'adapters', 'config', 'tools'];

/** True when a .ts file under `dir` was changed after `since` (ms since epoch). */
function changedSince(dir, since) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (changedSince(path, since)) return true;
    } else if (entry.name.endsWith('.ts') && statSync(path).mtimeMs > since) {
      return true;
    }
  }
  return false;
}

function distIsCurrent() {
  if (!existsSync(built)) return false;
  if (!existsSync(join(root, 'src'))) return true;
  if (!existsSync(stamp)) return false;
  const since = statSync(stamp).mtimeMs;
  return !SOURCE_DIRS.some((dir) => changedSince(join(root, dir), since));
}

const choice = process.env.CIDAAS_SYNC_USE_DIST;
if (choice === '1' && !existsSync(built)) {
  process.stderr.write(`cidaas-sync: CIDAAS_SYNC_USE_DIST=1 but ${built} does not exist; run \`npm run build\` first, or unset it to run the sources\n`);
  process.exit(2);
}
if (choice === '1' || (choice !== '0' && distIsCurrent())) {
  await import(pathToFileURL(built).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('cidaas-sync: there is no build (dist/) and no tsx to run the sources with; run `npm run build`, or `npm install` for the development dependencies\n');
    process.exit(2);
  }
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
