import { expect } from 'chai';
import { LAST_VERIFY_META, type LastVerify } from '../../../src/observability/live-status.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import type { ShopConfigFile } from '../../support/test-config.js';
import { cliFixture, type CliFixture } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

/** `status` lists the users whose TOTP seed legacy removed but cidaas kept (cidaas.compat.totpRemoval), as the last verify counted them. */
describe('cidaas-sync status: TOTP seeds left in cidaas', function () {
  this.timeout(60_000);
  let f: CliFixture;

  before(async () => {
    f = await cliFixture();
  });
  after(async () => {
    await f?.close();
  });

  async function lastVerifyCounted(cfg: ShopConfigFile, totpStranded: number | null): Promise<void> {
    const store = await openStateStore(`sqlite:${cfg.statePath}`);
    try {
      if (totpStranded === null) return;
      const last: LastVerify = {
        at: '2026-01-02T03:04:05.000Z', command: 'cutover', equal: totpStranded === 0, complete: true, checked: 30, legacyUsers: 30,
        counts: { differing: totpStranded, totpStranded }, reports: ['/var/lib/cidaas-sync/verify.json'],
      };
      await store.setMeta(LAST_VERIFY_META, JSON.stringify(last));
    } finally {
      await store.close();
    }
  }

  async function status(cfg: ShopConfigFile): Promise<{ text: string; json: { totpStranded?: { users: number | null; text: string } } }> {
    const [r, j] = await Promise.all([runCli(['status', '--config', cfg.path]), runCli(['status', '--json', '--config', cfg.path])]);
    expect(r.code, described(r)).to.equal(0);
    return { text: r.stdout, json: jsonOf(j) };
  }

  it('with totpRemoval unsupported: says so before any verify, then gives the count of the last one', async () => {
    const cfg = await f.writeConfig({ extra: { cidaas: { compat: { totpRemoval: 'unsupported' } } } });
    await lastVerifyCounted(cfg, null);
    const before = await status(cfg);
    expect(before.text).to.contain('TOTP: cidaas.compat.totpRemoval is unsupported: an authenticator removed in legacy keeps working in cidaas until an admin resets the user\'s MFA there');
    expect(before.json.totpStranded?.users).to.equal(null);
    await lastVerifyCounted(cfg, 2);
    const after = await status(cfg);
    expect(after.text).to.contain('TOTP: 2 users keep in cidaas an authenticator removed in legacy: an admin must reset their MFA in cidaas (as of the cutover at 2026-01-02T03:04:05.000Z; listed in /var/lib/cidaas-sync/verify.json)');
    expect(after.json.totpStranded?.users).to.equal(2);
  });

  it('with the default (empty): silent while verify found none, and lists what a verify found', async () => {
    const cfg = await f.writeConfig();
    await lastVerifyCounted(cfg, 0);
    const none = await status(cfg);
    expect(none.text).not.to.contain('TOTP');
    expect(none.json.totpStranded).to.equal(undefined);
    await lastVerifyCounted(cfg, 3);
    expect((await status(cfg)).text).to.contain('TOTP: 3 users keep in cidaas an authenticator removed in legacy');
  });
});
