import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `run` loads only what it needs (#15: a sidecar's idle memory is mostly the code it loaded):
 * `cidaas-sync run --help` loads the run command and everything it imports up front, and an
 * ES module resolve hook records every module resolved meanwhile. What only other commands or
 * other configurations use must not be among them.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.CIDAAS_TEST_MODULE_LOG, resolved.url + '\\n');
  return resolved;
}
`;

async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-modules-'));
  try {
    const hooks = join(dir, 'hooks.mjs');
    const register = join(dir, 'register.mjs');
    const log = join(dir, 'modules.log');
    await writeFile(hooks, HOOKS);
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    await writeFile(log, '');
    const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, 'bin/cidaas-sync.js', ...args], {
      cwd: ROOT, env: { ...process.env, CIDAAS_TEST_MODULE_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).to.equal(0);
    return (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('cidaas-sync run: the modules it loads (#15)', function () {
  this.timeout(120_000);

  it('loads neither the development tools, nor other commands, nor the MySQL driver and binlog reader', async () => {
    const loaded = await modulesLoadedBy(['run', '--help']);
    // The hook sees the run command itself: the list is real.
    expect(loaded.some((url) => /\/src\/cli\/commands\/run\.(ts|js)$/.test(url)), 'run.ts/run.js resolved').to.equal(true);
    const unwanted = [
      /\/src\/(emulator|demo|throwaway)\//,
      /\/src\/cli\/commands\/(?!run\.|index\.)[^/]+$/,
      // verify itself; owned-fields is the mapper's too.
      /\/src\/verify\/(?!owned-fields\.)[^/]+$/,
      /\/adapters\/mysql\//,
      /\/node_modules\/(mysql2|@vlasky\/zongji)\//,
    ];
    const found = loaded.filter((url) => unwanted.some((re) => re.test(url)));
    expect(found).to.deep.equal([]);
  });
});
