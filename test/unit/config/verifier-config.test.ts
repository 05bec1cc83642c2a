import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { loadVerifierConfig } from '../../../src/verifier/load-verifier-config.js';

describe('the verifier: section (#11)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verifier-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const load = async (yaml: string, env: NodeJS.ProcessEnv = {}): Promise<Awaited<ReturnType<typeof loadVerifierConfig>>> => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, yaml);
    return loadVerifierConfig(file, env);
  };

  it('reads the commented example of config/postgres.example.yaml once uncommented, ignoring the other sections and their variables', async () => {
    const example = await readFile(new URL('../../../config/postgres.example.yaml', import.meta.url), 'utf8');
    const block = example.slice(example.indexOf('# verifier:')).replace(/^# ?/gm, '').replace('${file:/run/secrets/firebase_signer_key}', '${FIREBASE_SIGNER_KEY}');
    const config = await load(example.slice(0, example.indexOf('# verifier:')) + block, { FIREBASE_SIGNER_KEY: 'c2lnbmVy' });
    expect(config.maxConcurrent).to.equal(2);
    expect(config.maxQueue).to.equal(32);
    expect(config.firebaseScrypt?.signerKey.reveal()).to.equal('c2lnbmVy');
    expect(String(config.firebaseScrypt?.signerKey)).to.equal('[redacted]');
  });

  it('takes the defaults when the section is absent', async () => {
    expect(await load('source: {}\n')).to.deep.equal({ maxConcurrent: 2, maxQueue: 32, maxBodyBytes: 16_384 });
  });

  it('refuses an unknown key and an out-of-range value, naming the path', async () => {
    let error: unknown;
    try {
      await load('verifier:\n  maxConcurent: 3\n  maxQueue: -1\n');
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.include('maxConcurent').and.include('verifier.maxQueue');
  });
});
