import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { CidaasCompat } from '../../../src/cidaas/cidaas-compat.js';
import { startEmulator, type RunningEmulator, type TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import { pollUntil } from '../../../tools/throwaway/poll-until.js';
import { loadConfig } from '../../../config/load-config.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { checkCanary } from '../../../src/preflight/canary-preflight.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import { runCli } from '../cli/cli-run.js';
import type { ShopConfigFile } from '../../support/test-config.js';
import { advisedSettings, CLIENT_ID, CLIENT_SECRET, LOGIN_APP, canaryConfig, canaryFor, canaryUsersIn, createCanaryWorld, describeFindings, tenantEmulator, type CanaryWorld } from './canary-fixture.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Each tenant variant, and the settings the canary must name for it. */
const VARIANTS: { tenant: Partial<TenantVariant>; needs: Partial<CidaasCompat> }[] = [
  { tenant: { bulkEnvelope: 'bare', bulkStateField: 'process_state', bulkOrder: 'shuffled' }, needs: {} },
  { tenant: { saltEncoding: 'text' }, needs: { saltEncoding: 'text' } },
  { tenant: { totpImport: 'ignore' }, needs: { totpImport: 'flag-only' } },
  { tenant: { totpImport: 'refuse' }, needs: { totpImport: 'flag-only' } },
  { tenant: { search: false }, needs: { search: 'get' } },
  { tenant: { purge: false }, needs: { delete: 'schedule' } },
];

describe('cidaas-sync canary against each tenant variant (postgres) (#12)', function () {
  this.timeout(180_000);
  let world: CanaryWorld;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(async () => {
    world = await createCanaryWorld('postgres', 6);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });
  after(async () => {
    await world?.drop();
  });

  async function setUp(tenant: Partial<TenantVariant>, compat: Partial<CidaasCompat>): Promise<{ emu: RunningEmulator; cfg: ShopConfigFile }> {
    const emu = await tenantEmulator(tenant);
    cleanup.push(() => emu.close());
    const cfg = await canaryConfig(world, emu, compat);
    cleanup.push(() => cfg.remove());
    return { emu, cfg };
  }

  for (const { tenant, needs } of VARIANTS) {
    const named = Object.entries(tenant).map(([k, v]) => `${k} ${String(v)}`).join(', ');
    it(`${named}: names ${JSON.stringify(needs)}, refutes nothing once it is written, and leaves no canary user`, async () => {
      const { emu, cfg } = await setUp(tenant, {});
      const first = await canaryFor(cfg.path);
      expect(advisedSettings(first), describeFindings(first.findings)).to.deep.equal(needs);
      expect(first.sample.formats).to.have.keys('BCRYPT_4', 'PBKDF2_SHA256');
      expect(first.leftOver).to.deep.equal([]);
      expect(canaryUsersIn(emu)).to.deep.equal([]);
      const fixed = await canaryConfig(world, emu, needs, `sqlite:${cfg.statePath}`);
      cleanup.push(() => fixed.remove());
      const second = await canaryFor(fixed.path);
      expect(second.findings.filter((f) => f.verdict !== 'confirmed'), describeFindings(second.findings)).to.deep.equal([]);
      expect(canaryUsersIn(emu)).to.deep.equal([]);
    });
  }

  it('check warns about canary until it has passed with these settings, then passes it', async () => {
    const { emu, cfg } = await setUp({ totpImport: 'ignore' }, {});
    const wrong = await loadConfig(cfg.path);
    expect(await checkCanary(wrong, null)).to.include({ ok: false, severity: 'warning' });
    await canaryFor(cfg.path);
    const fixedFile = await canaryConfig(world, emu, { totpImport: 'flag-only' }, `sqlite:${cfg.statePath}`);
    cleanup.push(() => fixedFile.remove());
    const fixed = await loadConfig(fixedFile.path);
    const store = await openStateStore(fixed.state.url, { logger: new MemoryLogger() });
    cleanup.push(() => store.close());
    const before = await checkCanary(fixed, store);
    expect(before, 'no pass yet with flag-only').to.include({ ok: false, severity: 'warning' });
    expect(before.detail).to.contain('never passed');
    await canaryFor(fixedFile.path);
    expect(await checkCanary(fixed, store)).to.include({ ok: true });
    expect((await checkCanary(wrong, store)).ok, 'another compat setting needs its own pass').to.equal(false);
  });

  it('through the CLI: exits 3 naming every setting to write while the config is wrong, 0 once it is written', async () => {
    const { emu, cfg } = await setUp({ saltEncoding: 'text', totpImport: 'refuse', search: false, purge: false, bulkEnvelope: 'bare', bulkOrder: 'shuffled' }, {});
    const first = await runCli(['canary', '--config', cfg.path], { timeoutMs: 90_000 });
    expect(first.code, first.stdout + first.stderr).to.equal(3);
    expect(first.stderr).to.contain('CANARY_REFUTED');
    for (const line of ['saltEncoding: text', 'totpImport: flag-only', 'search: get', 'delete: schedule']) expect(first.stdout).to.contain(`\n  ${line}`);
    expect(first.stdout).to.match(/password formats: .*BCRYPT_4 \d+/);
    expect(canaryUsersIn(emu)).to.deep.equal([]);
    const fixed = await canaryConfig(world, emu, { saltEncoding: 'text', totpImport: 'flag-only', search: 'get', delete: 'schedule' }, `sqlite:${cfg.statePath}`);
    cleanup.push(() => fixed.remove());
    const second = await runCli(['canary', '--config', fixed.path], { timeoutMs: 90_000 });
    expect(second.code, second.stdout + second.stderr).to.equal(0);
    expect(second.stdout).to.contain('0 refuted');
    expect(second.stdout).to.contain('every canary user removed');
    expect(canaryUsersIn(emu)).to.deep.equal([]);
    // flag-only: status says that users with an authenticator must enrol it again.
    const status = await runCli(['status', '--config', fixed.path], { timeoutMs: 60_000 });
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.contain('must enrol it again');
  });

  it('removes what a SIGKILLed run left behind on the next run', async () => {
    const emu = await tenantEmulator({});
    cleanup.push(() => emu.close());
    const cfg = await canaryConfig(world, emu, {});
    cleanup.push(() => cfg.remove());
    const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'canary', '--config', cfg.path], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    cleanup.push(async () => { child.kill('SIGKILL'); await exited; });
    // Killed as soon as its users are in cidaas: before it can remove any of them.
    await pollUntil(() => canaryUsersIn(emu).length > 0, { timeoutMs: 60_000, intervalMs: 5 });
    child.kill('SIGKILL');
    await exited;
    const left = canaryUsersIn(emu);
    expect(left.length).to.be.greaterThan(0);
    const again = await runCli(['canary', '--config', cfg.path], { timeoutMs: 90_000 });
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    expect(again.stdout).to.match(/earlier canary users: \d+ of \d+ left by an earlier run removed/);
    expect(canaryUsersIn(emu)).to.deep.equal([]);
  });

  it('removes its users when Ctrl-C stops it mid-run', async () => {
    // Slow answers, so that SIGINT lands between the push and the end.
    const emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, latencyMs: 150, tenant: { passwordGrantClient: LOGIN_APP } });
    cleanup.push(() => emu.close());
    const cfg = await canaryConfig(world, emu, {});
    cleanup.push(() => cfg.remove());
    const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'canary', '--config', cfg.path], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    cleanup.push(async () => { child.kill('SIGKILL'); await exited; });
    await pollUntil(() => canaryUsersIn(emu).length > 0, { timeoutMs: 60_000, intervalMs: 5 });
    child.kill('SIGINT');
    expect(await exited, stderr).to.equal(1);
    expect(stderr).to.contain('INTERRUPTED');
    expect(canaryUsersIn(emu)).to.deep.equal([]);
  });
});
