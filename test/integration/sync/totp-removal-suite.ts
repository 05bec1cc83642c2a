import { expect } from 'chai';
import type { CidaasCompat } from '../../../src/cidaas/cidaas-compat.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { readModeOf } from '../../../src/verify/cidaas-user-lookup.js';
import { formatVerifySummary } from '../../../src/verify/format-verify-summary.js';
import { ownedFieldsOf } from '../../../src/verify/owned-fields.js';
import { renderVerifyReportHtml } from '../../../src/verify/verify-report-html.js';
import type { VerifyReport } from '../../../src/verify/verify-report.js';
import { verifyUsers } from '../../../src/verify/verify-users.js';
import type { RunningEmulator, TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import { pollUntil } from '../../../tools/throwaway/poll-until.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { canaryConfig, createCanaryWorld, tenantEmulator, type CanaryWorld } from '../canary/canary-fixture.js';

/**
 * A TOTP device deleted in the legacy shop database (totp_devices), streamed to a tenant that
 * honours one removal shape or none (`--totp-removal`), under each `cidaas.compat.totpRemoval`:
 * either the seed is gone in cidaas, or the user is warned about, counted and reported by verify.
 * Never a seed in a log line, the verify summary or its reports.
 */
export function defineTotpRemovalSuite(kind: ShopDbKind): void {
  describe(`a TOTP removed in legacy, in cidaas (cidaas.compat.totpRemoval) (${kind})`, function () {
    this.timeout(120_000);
    let world: CanaryWorld;
    let totpIds: number[];
    const cleanup: (() => Promise<unknown>)[] = [];

    before(async () => {
      world = await createCanaryWorld(kind, 16);
      totpIds = world.seeded.ids.filter((id) => world.seeded.totpOf(id) !== null);
      expect(totpIds.length, 'seeded users with a TOTP device').to.be.at.least(4);
    });
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    });
    after(async () => {
      await world?.drop();
    });

    /** A sidecar streaming the shop to an emulator honouring `honoured`, with `totpRemoval`, once its backfill verifies equal. */
    async function synced(honoured: TenantVariant['totpRemoval'], totpRemoval: NonNullable<CidaasCompat['totpRemoval']>): Promise<{ emu: RunningEmulator; sidecar: InProcessSidecar }> {
      const emu = await tenantEmulator({ totpRemoval: honoured });
      cleanup.push(() => emu.close());
      const cfg = await canaryConfig(world, emu, { totpRemoval });
      cleanup.push(() => cfg.remove());
      const sidecar = await startInProcessSidecar(cfg.path);
      cleanup.push(async () => {
        const source = sidecar.pipeline.config.source;
        await sidecar.stop();
        if (source.kind === 'postgres') {
          await world.target.db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active', [source.slot]);
        }
      });
      await sidecar.streaming(60_000);
      for (const id of totpIds) expect(emu.getUser(`legacy-${id}`)?.mfa?.totp?.secret, `seed of ${id} after the backfill`).to.equal(world.seeded.totpOf(id));
      return { emu, sidecar };
    }

    async function verify(sidecar: InProcessSidecar): Promise<VerifyReport> {
      const { config, reader, mapper, client, store } = sidecar.pipeline;
      return verifyUsers({
        reader, mapper, client, store, logger: new MemoryLogger(), concurrency: 4, cidaasRead: readModeOf(config.cidaas.compat.search),
        ownedFields: ownedFieldsOf(config), onDelete: config.cidaas.onDelete,
      });
    }

    const strandedPushes = async (sidecar: InProcessSidecar): Promise<number> => (await sidecar.metrics.strandedTotp.get()).values[0]?.value ?? 0;

    /** Every seed the legacy database ever held is absent from `texts`. */
    function expectNoSeed(...texts: string[]): void {
      for (const id of totpIds) for (const text of texts) expect(text).not.to.contain(world.seeded.totpOf(id)!);
    }

    /** Removes the user's TOTP device in legacy, and waits until that push reached the emulator. */
    async function removeDevice(emu: RunningEmulator, id: number): Promise<void> {
      await world.target.db.query('DELETE FROM totp_devices WHERE user_id = ?', [id]);
      await pollUntil(() => emu.getUser(`legacy-${id}`)?.mfa_enabled === false, { timeoutMs: 30_000, intervalMs: 50 });
    }

    for (const shape of ['empty', 'null'] as const) {
      it(`${shape} against a tenant honouring ${shape}: the seed is gone in cidaas, verify equal, nothing stranded`, async () => {
        const { emu, sidecar } = await synced(shape, shape);
        const id = totpIds.shift()!;
        await removeDevice(emu, id);
        expect(emu.getUser(`legacy-${id}`)?.mfa?.totp, 'the seed in cidaas').to.equal(undefined);
        const report = await verify(sidecar);
        expect(report.equal, JSON.stringify(report.differing)).to.equal(true);
        expect(report.totpStranded).to.deep.equal({ count: 0, keys: [] });
        expect(await strandedPushes(sidecar)).to.equal(0);
        expect(sidecar.logger.lines.filter((l) => l.level === 'warn' && /TOTP/.test(l.message))).to.deep.equal([]);
      });
    }

    it('unsupported against a tenant that keeps the seed: warned about once, counted, reported by verify, status-ready', async () => {
      const { emu, sidecar } = await synced('ignore', 'unsupported');
      const id = totpIds.shift()!;
      await removeDevice(emu, id);
      expect(emu.getUser(`legacy-${id}`)?.mfa?.totp?.secret, 'the tenant kept the seed').to.equal(world.seeded.totpOf(id));
      await pollUntil(async () => (await strandedPushes(sidecar)) === 1, { timeoutMs: 10_000, intervalMs: 50 });
      const warned = sidecar.logger.lines.filter((l) => l.level === 'warn' && /TOTP authenticator removed in legacy still works in cidaas/.test(l.message));
      expect(warned.map((l) => ({ key: l.fields?.['key'], sub: l.fields?.['sub'] }))).to.deep.equal([{ key: String(id), sub: `legacy-${id}` }]);
      const report = await verify(sidecar);
      expect(report.equal).to.equal(false);
      expect(report.totpStranded).to.deep.equal({ count: 1, keys: [String(id)] });
      expect(report.differing).to.deep.equal([{ key: String(id), sub: `legacy-${id}`, groups: ['mfa'] }]);
      const summary = formatVerifySummary(report);
      expect(summary).to.contain('1 users keep in cidaas a TOTP authenticator removed in legacy: an admin must reset their MFA in cidaas');
      const html = renderVerifyReportHtml(report, { command: 'cutover', checkpoint: null, version: 'x', jsonReport: 'r.json' });
      expect(html).to.contain('an admin must reset their MFA in cidaas');
      // Another push of the user (a profile change) warns no more: once per removal.
      await world.target.db.query("UPDATE users SET first_name = 'Renamed' WHERE id = ?", [id]);
      await pollUntil(() => emu.getUser(`legacy-${id}`)?.given_name === 'Renamed', { timeoutMs: 30_000, intervalMs: 50 });
      expect(await strandedPushes(sidecar)).to.equal(1);
      expectNoSeed(sidecar.logger.text(), summary, JSON.stringify(report), html);
    });

    it('empty (a wrong guess) against a tenant that keeps the seed: verify still finds and lists the user', async () => {
      const { emu, sidecar } = await synced('ignore', 'empty');
      const id = totpIds.shift()!;
      await removeDevice(emu, id);
      expect(emu.getUser(`legacy-${id}`)?.mfa?.totp?.secret).to.equal(world.seeded.totpOf(id));
      const report = await verify(sidecar);
      expect(report.totpStranded).to.deep.equal({ count: 1, keys: [String(id)] });
      expect(report.differing.map((d) => d.groups)).to.deep.equal([['mfa']]);
      expectNoSeed(sidecar.logger.text(), formatVerifySummary(report), JSON.stringify(report));
    });
  });
}
