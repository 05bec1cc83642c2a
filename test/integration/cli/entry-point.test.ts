import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * bin/cidaas-sync.js picks what to run: the compiled dist/ when it is there and current, the
 * TypeScript sources through tsx otherwise (#13: tsx is a development dependency only). Each case
 * runs the real bin/cidaas-sync.js in a scratch copy of the layout whose two entry points only
 * say which one ran.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOUR_AGO = new Date(Date.now() - 3_600_000);
const NOW = new Date();

interface Layout {
  readonly dir: string;
  readonly source: string;
  readonly stamp: string;
}

async function layout(parts: { dist: boolean; src: boolean }): Promise<Layout> {
  const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-entry-'));
  await mkdir(join(dir, 'bin'));
  await copyFile(join(ROOT, 'bin', 'cidaas-sync.js'), join(dir, 'bin', 'cidaas-sync.js'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  // tsx, for the sources: the repository's own.
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const source = join(dir, 'src', 'cli', 'main.ts');
  if (parts.src) {
    await mkdir(join(dir, 'src', 'cli'), { recursive: true });
    await writeFile(source, "const ran: string = 'sources';\nprocess.stdout.write(ran);\n");
    await utimes(source, HOUR_AGO, HOUR_AGO);
  }
  const stamp = join(dir, 'dist', '.built');
  if (parts.dist) {
    await mkdir(join(dir, 'dist', 'src', 'cli'), { recursive: true });
    await writeFile(join(dir, 'dist', 'src', 'cli', 'main.js'), "process.stdout.write('dist');\n");
  }
  return { dir, source, stamp };
}

function run(dir: string, useDist?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env['CIDAAS_SYNC_USE_DIST'];
  if (useDist !== undefined) env['CIDAAS_SYNC_USE_DIST'] = useDist;
  const child = spawn(process.execPath, [join(dir, 'bin', 'cidaas-sync.js')], { cwd: dir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('bin/cidaas-sync.js: the build or the sources (#13)', function () {
  this.timeout(60_000);
  const made: string[] = [];
  const make = async (parts: { dist: boolean; src: boolean }): Promise<Layout> => {
    const l = await layout(parts);
    made.push(l.dir);
    return l;
  };
  after(async () => {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('a checkout without a build runs the sources; a build newer than every source runs dist/', async () => {
    const plain = await make({ dist: false, src: true });
    const built = await make({ dist: true, src: true });
    await writeFile(built.stamp, '');
    await utimes(built.stamp, NOW, NOW);
    const [a, b] = await Promise.all([run(plain.dir), run(built.dir)]);
    expect(a, a.stderr).to.include({ code: 0, stdout: 'sources' });
    expect(b, b.stderr).to.include({ code: 0, stdout: 'dist' });
  });

  it('a source edited after the build, or a build that never finished (no stamp), runs the sources', async () => {
    const edited = await make({ dist: true, src: true });
    await writeFile(edited.stamp, '');
    await utimes(edited.stamp, HOUR_AGO, HOUR_AGO);
    await utimes(edited.source, NOW, NOW);
    const unfinished = await make({ dist: true, src: true });
    const [a, b] = await Promise.all([run(edited.dir), run(unfinished.dir)]);
    expect(a, a.stderr).to.include({ code: 0, stdout: 'sources' });
    expect(b, b.stderr).to.include({ code: 0, stdout: 'sources' });
  });

  it('the image (dist/ and no sources) runs dist/; CIDAAS_SYNC_USE_DIST=0 and =1 insist', async () => {
    const image = await make({ dist: true, src: false });
    const stale = await make({ dist: true, src: true });
    const none = await make({ dist: false, src: true });
    const [a, b, c, d] = await Promise.all([run(image.dir), run(stale.dir, '1'), run(image.dir, '0'), run(none.dir, '1')]);
    expect(a, a.stderr).to.include({ code: 0, stdout: 'dist' });
    expect(b, b.stderr).to.include({ code: 0, stdout: 'dist' });
    // =0 with no sources: a clear failure, not a silent dist/.
    expect(c.code).to.not.equal(0);
    expect(d.code).to.equal(2);
    expect(d.stderr).to.include('CIDAAS_SYNC_USE_DIST=1 but').and.include('run `npm run build` first');
  });
});
