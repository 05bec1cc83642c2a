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

/** A bad configuration and what its error must name. */
interface BadConfig {
  readonly yaml: string;
  readonly needles: readonly string[];
}

const CASES = {
  unknownKey: { yaml: [GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecrett: s }'].join('\n'), needles: ['cidaas.clientSecrett', 'clientSecret'] },
  batchSize: { yaml: [GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: s, batchSize: 80 }'].join('\n'), needles: ['cidaas.batchSize', '50'] },
  wrongType: { yaml: [GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: s, concurrency: many }'].join('\n'), needles: ['cidaas.concurrency'] },
  sourceKind: { yaml: ['source: { kind: oracle, url: "x" }', GOOD.users, GOOD.cidaas].join('\n'), needles: ['source.kind', 'postgres'] },
  missingKey: { yaml: [GOOD.source, 'users: { table: users, fields: { email: email } }', GOOD.cidaas].join('\n'), needles: ['users.key'] },
  unsetEnv: { yaml: [GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: "${CIDAAS_SYNC_NOT_SET_ANYWHERE}" }'].join('\n'), needles: ['cidaas.clientSecret', 'CIDAAS_SYNC_NOT_SET_ANYWHERE'] },
  secretFile: { yaml: [GOOD.source, GOOD.users, 'cidaas: { baseUrl: "http://127.0.0.1:1", clientId: c, clientSecret: "${file:/nonexistent/secret}" }'].join('\n'), needles: ['cidaas.clientSecret', '/nonexistent/secret'] },
  yamlSyntax: { yaml: [GOOD.source, 'users: { table: users, key: id', GOOD.cidaas].join('\n'), needles: ['line'] },
  mapping: { yaml: [GOOD.source, GOOD.users, GOOD.cidaas, 'mapping: ./no-such-mapping.ts'].join('\n'), needles: ['mapping', 'no-such-mapping.ts'] },
} satisfies Record<string, BadConfig>;

type CliRun = Awaited<ReturnType<typeof runCli>>;

describe('run with a bad configuration exits 2 and names the key', function () {
  this.timeout(30_000);
  let dir: string;
  // Each test's `run` starts in `before`, all at once: the runs are independent, and their CLI
  // start-ups overlap instead of queueing one after another. Each test then checks its own run.
  const runs = new Map<keyof typeof CASES | 'missingFile', Promise<CliRun>>();
  before(async function () {
    // Ten CLI start-ups at about 2 s of CPU each: a 2-core machine running another test job
    // beside this one (npm test's parallel jobs) takes well over the 30 s of a test for them.
    this.timeout(120_000);
    dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-badcfg-'));
    for (const [name, c] of Object.entries(CASES) as [keyof typeof CASES, BadConfig][]) {
      const path = join(dir, `${name}.yaml`);
      await writeFile(path, c.yaml);
      runs.set(name, runCli(['run', '--config', path], { CIDAAS_SYNC_TEST_UNSET: '' }));
    }
    runs.set('missingFile', runCli(['run', '--config', join(dir, 'missing.yaml')]));
    // Settle every run here, so no test's wait counts another's start-up and no rejection is left unheard.
    await Promise.all(runs.values());
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  async function expectConfigError(name: keyof typeof CASES): Promise<string> {
    const r = await runs.get(name)!;
    expect(r.code, r.stderr).to.equal(2);
    for (const n of CASES[name].needles) expect(r.stderr).to.contain(n);
    expect(r.stdout, 'nothing on stdout').to.equal('');
    return r.stderr;
  }

  it('an unknown key, with the key it probably means', async () => {
    await expectConfigError('unknownKey');
  });

  it('a batch size above what cidaas accepts', async () => {
    await expectConfigError('batchSize');
  });

  it('a value of the wrong type', async () => {
    await expectConfigError('wrongType');
  });

  it('an unknown source kind', async () => {
    await expectConfigError('sourceKind');
  });

  it('a missing required key', async () => {
    await expectConfigError('missingKey');
  });

  it('an environment variable that is not set, without printing any secret', async () => {
    const stderr = await expectConfigError('unsetEnv');
    expect(stderr).to.not.contain('s3cr3t');
  });

  it('a secret file that cannot be read', async () => {
    await expectConfigError('secretFile');
  });

  it('a YAML syntax error, with its line', async () => {
    await expectConfigError('yamlSyntax');
  });

  it('a mapping module that does not exist', async () => {
    await expectConfigError('mapping');
  });

  it('a configuration file that does not exist', async () => {
    const r = await runs.get('missingFile')!;
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('missing.yaml');
  });
});
