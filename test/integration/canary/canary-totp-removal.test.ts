import { expect } from 'chai';
import type { CanaryFinding, CanaryReport } from '../../../src/canary/canary-finding.js';
import { formatCanaryReport } from '../../../src/canary/canary-finding.js';
import type { CidaasCompat } from '../../../src/cidaas/cidaas-compat.js';
import type { RunningEmulator, TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import type { ShopConfigFile } from '../../support/test-config.js';
import { advisedSettings, canaryConfig, canaryFor, canaryUsersIn, createCanaryWorld, describeFindings, tenantEmulator, type CanaryWorld } from './canary-fixture.js';

type Removal = NonNullable<CidaasCompat['totpRemoval']>;

function removalFinding(report: CanaryReport): CanaryFinding | undefined {
  return report.findings.find((f) => f.assumption.startsWith('cidaas.compat.totpRemoval ('));
}

/** What each emulated tenant (`--totp-removal`) needs: the shape it honours, or unsupported. */
const NEEDS: Record<TenantVariant['totpRemoval'], Removal> = { empty: 'empty', null: 'null', ignore: 'unsupported' };

describe('cidaas-sync canary: how a TOTP seed is removed (cidaas.compat.totpRemoval)', function () {
  this.timeout(120_000);
  let world: CanaryWorld;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(async () => {
    world = await createCanaryWorld('postgres', 4);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });
  after(async () => {
    await world?.drop();
  });

  async function canaryOn(tenant: Partial<TenantVariant>, compat: Partial<CidaasCompat>): Promise<{ emu: RunningEmulator; report: CanaryReport; cfg: ShopConfigFile }> {
    const emu = await tenantEmulator(tenant);
    cleanup.push(() => emu.close());
    const cfg = await canaryConfig(world, emu, compat);
    cleanup.push(() => cfg.remove());
    const report = await canaryFor(cfg.path);
    expect(report.leftOver).to.deep.equal([]);
    expect(canaryUsersIn(emu)).to.deep.equal([]);
    return { emu, report, cfg };
  }

  for (const [honoured, needed] of Object.entries(NEEDS) as [TenantVariant['totpRemoval'], Removal][]) {
    for (const configured of ['empty', 'null', 'unsupported'] as const) {
      const right = configured === needed;
      it(`a tenant honouring ${honoured} with totpRemoval ${configured}: ${right ? 'confirmed' : `refuted, names ${needed}`}`, async () => {
        const { report } = await canaryOn({ totpRemoval: honoured }, { totpRemoval: configured });
        const f = removalFinding(report);
        expect(f, describeFindings(report.findings)).to.not.equal(undefined);
        expect(f!.verdict, f!.detail).to.equal(right ? 'confirmed' : 'refuted');
        expect(advisedSettings(report).totpRemoval).to.equal(right ? undefined : needed);
        if (!right && configured !== 'unsupported') expect(f!.detail).to.contain('a TOTP removed in legacy (2FA turned off, authenticator reset, device deleted) would keep working in cidaas');
        const text = formatCanaryReport(report);
        if (!right) expect(text).to.contain(`\n  totpRemoval: ${needed}`);
        // Never a seed in the output: the canary's seeds are 32 base32 characters.
        expect(text).not.to.match(/[A-Z2-7]{32}/);
      });
    }
  }

  it('does not ask with totpImport flag-only (no seed is ever sent)', async () => {
    const { report } = await canaryOn({ totpRemoval: 'ignore' }, { totpImport: 'flag-only' });
    expect(removalFinding(report), describeFindings(report.findings)).to.equal(undefined);
  });

  it('cannot test it on a tenant that drops the seed, and says why', async () => {
    const { report } = await canaryOn({ totpImport: 'ignore' }, {});
    expect(removalFinding(report)).to.include({ verdict: 'not testable' });
  });
});
