import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

/** What the Dockerfile's build stage deletes from dist/: the development tools. */
const DEV_ONLY = ['tools/', 'src/cli/commands/emulator.ts', 'src/cli/commands/demo.ts'];
/** The only imports allowed to reach them: the two development commands, loaded so that a missing file means "no such command". */
const OPTIONAL_EDGES = new Set(['src/cli/commands/index.ts -> src/cli/commands/emulator.ts', 'src/cli/commands/index.ts -> src/cli/commands/demo.ts']);

/** Relative imports that stay at run time (static, re-exports, dynamic), without type-only ones. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const statement = /^\s*(import|export)\s+(?!type\s)[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms;
  const dynamic = /import\(\s*'(\.{1,2}\/[^']+)'\s*\)|^\s*import\s+'(\.{1,2}\/[^']+)'/gm;
  for (const m of text.matchAll(statement)) out.push(m[2]!);
  for (const m of text.matchAll(dynamic)) out.push((m[1] ?? m[2])!);
  return out.map((spec) => {
    const resolved = path.posix.join(path.posix.dirname(file), spec);
    return resolved.endsWith('.js') && existsSync(resolved.replace(/\.js$/, '.ts')) ? resolved.replace(/\.js$/, '.ts') : resolved;
  });
}

/** Every source file `node bin/cidaas-sync.js` can load, and the edges that reach development-only files. */
function reachable(root: string): { files: Set<string>; devEdges: string[] } {
  const files = new Set<string>();
  const devEdges: string[] = [];
  const queue = [root];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file) || !file.endsWith('.ts')) continue;
    files.add(file);
    for (const next of runtimeImports(file)) {
      if (DEV_ONLY.some((d) => next.startsWith(d))) {
        devEdges.push(`${file} -> ${next}`);
        if (OPTIONAL_EDGES.has(`${file} -> ${next}`)) continue;
      }
      queue.push(next);
    }
  }
  return { files, devEdges };
}

describe('the production image: no emulator or demo on the entry point path, the verifier there (#13)', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');

  it('deletes the development tools from the built code', () => {
    const rm = /rm -rf dist\/tools\s*\\?\s*dist\/src\/cli\/commands\/emulator\.js dist\/src\/cli\/commands\/demo\.js/;
    expect(dockerfile).to.match(rm);
  });

  it('reaches no development-only file from the command line except through the two optional development commands', () => {
    const { files, devEdges } = reachable('src/cli/main.ts');
    expect(devEdges.filter((e) => !OPTIONAL_EDGES.has(e))).to.deep.equal([]);
    expect([...files].filter((f) => DEV_ONLY.some((d) => f.startsWith(d)))).to.deep.equal([]);
    // The walk itself works: it sees the commands the image serves, the verifier among them.
    for (const f of ['src/cli/commands/run.ts', 'src/cli/commands/verifier.ts', 'src/cli/commands/healthcheck.ts', 'src/dispatch/dispatcher.ts']) {
      expect(files.has(f), f).to.equal(true);
    }
    expect(devEdges).to.have.length(2);
  });

  it('starts the sidecar by default and the verifier from its own target', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const stage = (name: string): string => stages.find((s) => new RegExp(`^\\S+ AS ${name}\\s`).test(s)) ?? '';
    const entry = (s: string): string => /^ENTRYPOINT (.*)$/m.exec(s)?.[1] ?? '';
    expect(stages[stages.length - 1]).to.match(/^\S+ AS runtime\s/);
    expect(entry(stage('runtime'))).to.equal('["/usr/bin/tini", "--", "node", "/app/bin/cidaas-sync.js"]');
    expect(/^CMD (.*)$/m.exec(stage('runtime'))?.[1]).to.equal('["run"]');
    expect(entry(stage('verifier'))).to.equal('["/usr/bin/tini", "--", "node", "/app/bin/cidaas-sync.js", "verifier"]');
    expect(dockerfile).to.not.match(/^(ENTRYPOINT|CMD)[^\n]*(emulator|demo)/m);
  });
});
