import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueAt, minimalConfig, parse, rejection } from './config-test-helpers.js';

describe('tenant: the setup in a file of its own (#16)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-tenant-file-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('reads the file the configuration names, relative to the configuration, with ${ENV} substituted in it', async () => {
    await writeFile(join(dir, 'tenant.yaml'), [
      'fields:',
      '  - key: loyalty_tier',
      '    labels: { en: Loyalty tier, de: Treuestufe }',
      'roles:',
      '  - { role: "${SHOP_ROLE}", name: Customer }',
    ].join('\n'));
    const config = await parse({ ...minimalConfig(), tenant: './tenant.yaml' }, { SHOP_ROLE: 'customer' }, dir);
    expect(config.tenant?.fields.map((f) => [f.key, f.labels])).to.deep.equal([['loyalty_tier', { en: 'Loyalty tier', de: 'Treuestufe' }]]);
    expect(config.tenant?.roles.map((r) => r.role)).to.deep.equal(['customer']);
  });

  it('is the same as writing the mapping in place', async () => {
    await writeFile(join(dir, 'same.yaml'), 'fields:\n  - key: k1\n    labels: { en: K }\n');
    const fromFile = await parse({ ...minimalConfig(), tenant: 'same.yaml' }, {}, dir);
    const inPlace = await parse({ ...minimalConfig(), tenant: { fields: [{ key: 'k1', labels: { en: 'K' } }] } }, {}, dir);
    expect(fromFile.tenant).to.deep.equal(inPlace.tenant);
  });

  it('names a file it cannot read, with its full path and what to do', async () => {
    const err = await rejection({ ...minimalConfig(), tenant: 'missing.yaml' }, {}, dir);
    expect(issueAt(err, 'tenant')).to.equal(`cannot read the tenant file ${join(dir, 'missing.yaml')} (ENOENT); give its path relative to this configuration file, or write the tenant: mapping here`);
  });

  it('reports broken YAML in the file at its own line, and a file that is not a mapping', async () => {
    await writeFile(join(dir, 'broken.yaml'), 'fields:\n  - key: a\n   labels: [\n');
    expect(issueAt(await rejection({ ...minimalConfig(), tenant: 'broken.yaml' }, {}, dir), 'tenant')).to.match(/broken\.yaml, line \d+, column \d+: .*fix the YAML syntax there$/);
    await writeFile(join(dir, 'list.yaml'), '- key: a\n');
    expect(issueAt(await rejection({ ...minimalConfig(), tenant: 'list.yaml' }, {}, dir), 'tenant')).to.match(/list\.yaml must hold a mapping/);
  });

  it('checks what the file holds like the mapping in place: a wrong key is reported under tenant.', async () => {
    await writeFile(join(dir, 'wrong.yaml'), 'fields:\n  - key: "not a key"\n    labels: { en: K }\n');
    const err = await rejection({ ...minimalConfig(), tenant: 'wrong.yaml' }, {}, dir);
    expect(issueAt(err, 'tenant.fields[0].key')).to.match(/custom field key/);
  });
});
