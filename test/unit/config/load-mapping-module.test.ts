import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { loadMappingModule, typeScriptLoader, type MappingModuleError } from '../../../config/load-mapping-module.js';
import type { LegacyUser } from '../../../config/mapping-types.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';

describe('loadMappingModule', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-mapping-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function failure(path: string): Promise<MappingModuleError> {
    try {
      await loadMappingModule(path);
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const e = err as MappingModuleError;
      expect(e.code).to.equal('CONFIG_MAPPING_MODULE');
      expect(e.exitCode).to.equal(ExitCode.config);
      expect(e.issues[0]?.path).to.equal('mapping');
      expect(e.message).to.match(/^mapping: /).and.include(path);
      return e;
    }
    expect.fail(`${path} loaded, but it should have been rejected`);
  }

  it('loads the default export of a TypeScript module', async () => {
    const file = join(dir, 'upper.ts');
    await writeFile(file, `export default (entity: { email?: string }): typeof entity => ({ ...entity, email: entity.email?.toUpperCase() });\n`);
    const map = await loadMappingModule(file);
    expect(await map({ email: 'a@example.com' }, { key: '1', user: {}, mfa: [], attributes: {} })).to.deep.equal({ email: 'A@EXAMPLE.COM' });
  });

  it('loads the default export of an .mjs module', async () => {
    const file = join(dir, 'skip.mjs');
    await writeFile(file, `export default async function map() { return 'skip'; }\n`);
    const map = await loadMappingModule(file);
    expect(await map({}, { key: '1', user: {}, mfa: [], attributes: {} })).to.equal('skip');
  });

  it('runs the WordPress example mapping from config/', async () => {
    const map = await loadMappingModule(resolve(import.meta.dirname, '../../../config/mapping.example.ts'));
    const legacy: LegacyUser = {
      key: '7',
      user: { ID: 7, user_status: 1 },
      mfa: [],
      attributes: { wp_capabilities: 'a:2:{s:13:"administrator";b:1;s:6:"editor";b:1;}' },
    };
    expect(await map({ email: 'ann@example.com' }, legacy)).to.deep.equal({
      email: 'ann@example.com',
      userStatus: 'LOCKED',
      customFields: { wp_roles: ['administrator', 'editor'] },
    });
    expect(await map({}, legacy)).to.equal('skip');
  });

  it('rejects a mapping module that does not exist', async () => {
    const err = await failure(join(dir, 'missing.ts'));
    expect(err.message).to.include('does not exist');
  });

  it('rejects a mapping module without a default export', async () => {
    const file = join(dir, 'named.mjs');
    await writeFile(file, `export function map(entity) { return entity; }\n`);
    const err = await failure(file);
    expect(err.message).to.include('has no default export');
    expect(err.hint).to.include('export default function map(entity, legacy)');
  });

  it('rejects a mapping module whose default export is not a function', async () => {
    const file = join(dir, 'object.mjs');
    await writeFile(file, `export default { email: 'x' };\n`);
    const err = await failure(file);
    expect(err.message).to.include('has a default export that is object, not a function');
  });

  it('rejects a mapping module that throws while loading', async () => {
    const file = join(dir, 'throws.ts');
    await writeFile(file, `throw new Error('mapping table not found');\nexport default () => 'skip';\n`);
    const err = await failure(file);
    expect(err.message).to.include('failed to load: mapping table not found');
  });

  it('loads TypeScript through tsx where installed, else through Node\'s own type stripping (22.18, 23.6 on), else not at all (#13)', () => {
    expect(typeScriptLoader('20.19.0', true)).to.equal('tsx');
    expect(typeScriptLoader('24.11.1', true)).to.equal('tsx');
    // The image: a production install has no tsx, its Node 24 strips types.
    expect(typeScriptLoader('24.11.1', false)).to.equal('node');
    expect(typeScriptLoader('v23.6.0', false)).to.equal('node');
    expect(typeScriptLoader('22.18.0', false)).to.equal('node');
    expect(typeScriptLoader('23.5.0', false)).to.equal(null);
    expect(typeScriptLoader('22.17.1', false)).to.equal(null);
    expect(typeScriptLoader('20.19.5', false)).to.equal(null);
  });
});
