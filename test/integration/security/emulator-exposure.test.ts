import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CidaasClient } from '../../../src/cidaas/cidaas-client.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Secret } from '../../../src/secret.js';
import { minimalConfig, parse } from '../../unit/config/config-test-helpers.js';
import { described, runCli } from '../cli/cli-run.js';

describe('the emulator cannot pass for a tenant, nor serve the network by accident (#13)', function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  before(async () => { emu = await startEmulator({ clientId: 'exposure', clientSecret: 'exposure-secret-4711' }); });
  after(async () => { await emu?.close(); });

  const client = (allowEmulator: boolean | undefined) => new CidaasClient({
    baseUrl: emu.url, clientId: 'exposure', clientSecret: new Secret('exposure-secret-4711'), logger: silentLogger, connections: 1,
    ...(allowEmulator === undefined ? {} : { allowEmulator }),
  });

  it('the sidecar refuses a tenant that answers as the emulator unless cidaas.allowEmulator is true', async () => {
    expect((await parse(minimalConfig())).cidaas.allowEmulator).to.equal(false);
    const refused = client(undefined);
    try {
      const err = await refused.tokenScopes().then(() => null, (e: unknown) => e as Error & { hint?: string });
      expect(err?.message).to.include('is the cidaas-sync emulator');
      expect(err?.hint).to.include('cidaas.allowEmulator: true');
    } finally {
      await refused.close();
    }
    const allowed = client(true);
    try {
      expect(await allowed.tokenScopes()).to.include('cidaas:bulk_user_create');
    } finally {
      await allowed.close();
    }
  });

  it('the emulator command refuses a non-loopback --host without --unsafe-public', async () => {
    const r = await runCli(['emulator', '--host', '0.0.0.0', '--port', '0']);
    expect(r.code, described(r)).to.equal(2);
    expect(r.stderr).to.include('--unsafe-public').and.to.include('not loopback');
  });

  it('the emulator command has no built-in secret: without one it makes one for the run', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['CIDAAS_EMULATOR_CLIENT_SECRET'];
    const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'emulator', '--port', '0'], { env });
    let stderr = '';
    const banner = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('Ctrl-C')) resolve();
      });
    });
    try {
      await banner;
      expect(stderr).to.match(/client secret: from generated for this run: [A-Za-z0-9_-]{24}/);
      expect(stderr).to.not.include('cidaas-emulator-dev-secret');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
