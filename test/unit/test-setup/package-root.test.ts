import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { packageRoot } from '../../../tools/throwaway/package-root.js';
import { embeddedPostgresCacheDir } from '../../../tools/throwaway/postgres-binaries.js';

/**
 * The throwaway servers' cache of fetched PostgreSQL releases lives in the checkout's
 * node_modules/.cache, found from the module's own location: the same folder when the tools run
 * from the sources (tsx) and from the build (dist/tools/throwaway/*.js), one level deeper.
 */
describe('the package root of the tools, from the sources and from dist/', () => {
  let tree: string;
  const cacheEnv = process.env.CIDAAS_PG_CACHE;

  before(() => {
    tree = mkdtempSync(join(tmpdir(), 'cidaas-package-root-'));
    writeFileSync(join(tree, 'package.json'), '{"name":"cidaas-sync"}\n');
    for (const dir of ['tools/throwaway', 'dist/tools/throwaway']) mkdirSync(join(tree, dir), { recursive: true });
    delete process.env.CIDAAS_PG_CACHE;
  });

  after(() => {
    if (cacheEnv !== undefined) process.env.CIDAAS_PG_CACHE = cacheEnv;
    rmSync(tree, { recursive: true, force: true });
  });

  it('is the folder of the nearest package.json, for a source module and for its built twin', () => {
    const source = join(tree, 'tools/throwaway/postgres-binaries.ts');
    const built = join(tree, 'dist/tools/throwaway/postgres-binaries.js');
    expect(packageRoot(source)).to.equal(tree);
    expect(packageRoot(built)).to.equal(tree);
    expect(packageRoot(pathToFileURL(built))).to.equal(tree);
    expect(packageRoot(pathToFileURL(built).href)).to.equal(tree);
  });

  it('puts the PostgreSQL release cache in the checkout\'s node_modules/.cache either way', () => {
    const expected = join(tree, 'node_modules', '.cache', 'cidaas-sync-postgres');
    expect(embeddedPostgresCacheDir(pathToFileURL(join(tree, 'tools/throwaway/postgres-binaries.ts')))).to.equal(expected);
    expect(embeddedPostgresCacheDir(pathToFileURL(join(tree, 'dist/tools/throwaway/postgres-binaries.js')))).to.equal(expected);
  });

  it('finds this checkout from the module itself', () => {
    const root = packageRoot(new URL('../../../tools/throwaway/package-root.ts', import.meta.url));
    expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name).to.equal('cidaas-sync');
    expect(embeddedPostgresCacheDir()).to.equal(join(root, 'node_modules', '.cache', 'cidaas-sync-postgres'));
  });

  it('says so when no folder above holds a package.json', () => {
    expect(() => packageRoot('/package-root-test-nowhere/x.js')).to.throw('no package.json in /package-root-test-nowhere or any directory above it');
  });

  it('$CIDAAS_PG_CACHE wins', () => {
    process.env.CIDAAS_PG_CACHE = join(tree, 'elsewhere');
    try {
      expect(embeddedPostgresCacheDir(pathToFileURL(join(tree, 'dist/tools/throwaway/postgres-binaries.js')))).to.equal(join(tree, 'elsewhere'));
    } finally {
      delete process.env.CIDAAS_PG_CACHE;
    }
  });
});
