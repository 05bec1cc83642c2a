import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GOOD = {
  source: 'source: { kind: postgres, url: "postgres://sync@127.0.0.1:1/shop" }',
  users: 'users: { table: users, key: id, fields: { email: email } }',
  cidaas: 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: s }',
};

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/cidaas-sync.js', ...args], { env: { ...process.env, ...env } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('run with a bad configuration exits 2 and names the key', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-badcfg-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  async function expectConfigError(yaml: string, ...needles: string[]): Promise<string> {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(path, yaml);
    const r = await runCli(['run', '--config', path], { CIDAAS_SYNC_TEST_UNSET: '' });
    expect(r.code, r.stderr).to.equal(2);
    for (const n of needles) expect(r.stderr).to.contain(n);
    expect(r.stdout, 'nothing on stdout').to.equal('');
    return r.stderr;
  }

  it('an unknown key, with the key it probably means', async () => {
    await expectConfigError([GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecrett: s }'].join('\n'), 'cidaas.clientSecrett', 'clientSecret');
  });

  it('a batch size above what cidaas accepts', async () => {
    await expectConfigError([GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: s, batchSize: 80 }'].join('\n'), 'cidaas.batchSize', '50');
  });

  it('a value of the wrong type', async () => {
    await expectConfigError([GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: s, concurrency: many }'].join('\n'), 'cidaas.concurrency');
  });

  it('an unknown source kind', async () => {
    await expectConfigError(['source: { kind: oracle, url: "x" }', GOOD.users, GOOD.cidaas].join('\n'), 'source.kind', 'postgres');
  });

  it('a missing required key', async () => {
    await expectConfigError([GOOD.source, 'users: { table: users, fields: { email: email } }', GOOD.cidaas].join('\n'), 'users.key');
  });

  it('an environment variable that is not set, without printing any secret', async () => {
    const stderr = await expectConfigError([GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: "${CIDAAS_SYNC_NOT_SET_ANYWHERE}" }'].join('\n'), 'cidaas.clientSecret', 'CIDAAS_SYNC_NOT_SET_ANYWHERE');
    expect(stderr).to.not.contain('s3cr3t');
  });

  it('a secret file that cannot be read', async () => {
    await expectConfigError([GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: "${file:/nonexistent/secret}" }'].join('\n'), 'cidaas.clientSecret', '/nonexistent/secret');
  });

  it('a YAML syntax error, with its line', async () => {
    await expectConfigError([GOOD.source, 'users: { table: users, key: id', GOOD.cidaas].join('\n'), 'line');
  });

  it('a mapping module that does not exist', async () => {
    await expectConfigError([GOOD.source, GOOD.users, GOOD.cidaas, 'mapping: ./no-such-mapping.ts'].join('\n'), 'mapping', 'no-such-mapping.ts');
  });

  it('a configuration file that does not exist', async () => {
    const r = await runCli(['run', '--config', join(dir, 'missing.yaml')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('missing.yaml');
  });
});
