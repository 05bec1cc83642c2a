import { expect } from 'chai';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import type { HaStatus } from '../../../src/ha/ha-status.js';
import { waitForConvergence } from '../../support/convergence.js';
import { killAllSidecars } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { described, jsonOf, runCli } from '../cli/cli-run.js';
import { httpPortOf } from '../chaos/sidecar-probe.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';
import { ACQUIRED, count, ReplicaSet } from './replica-set.js';

const CLIENT_ID = 'ha-ops';
const CLIENT_SECRET = 'ha-ops-secret-1618';

async function readyz(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function roleGauges(port: number): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('cidaas_sync_ha_role{'));
}

/**
 * Issue #14, operations: the role of each replica in /readyz and /metrics, the holder in `status`,
 * SIGTERM handing the lease over without waiting for it to expire, and `cutover` taking the lease
 * while the replicas keep running.
 */
export function defineHaOperationsSuite(kind: ShopDbKind): void {
  describe(`HA operations against ${kind} (#14)`, function () {
    this.timeout(180_000);
    let target: SyncTarget;
    let emu: RunningEmulator;
    let config: ShopConfigFile;
    let set: ReplicaSet;

    before(async () => {
      target = await createSyncTarget(kind);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      await seedUsers(target.db, 60, 14);
      // A long lease: a takeover within seconds after SIGTERM proves the lease was handed over, not left to expire.
      config = await writeShopConfig({
        kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
        stateUrl: target.url, extra: { ha: { enabled: true, leaseSeconds: 30 } },
      });
      set = new ReplicaSet(config.path);
    });

    after(async () => {
      await killAllSidecars();
      await emu.close();
      await target.drop();
      await config.remove();
    });

    it('reports the role of each replica in /readyz and /metrics and the holder in status', async () => {
      const before = set.snapshot();
      const a = set.spawn();
      const b = set.spawn();
      const active = await set.newActive(before);
      const standby = active === a ? b : a;
      await set.currentActive();
      await waitForConvergence(target.db, emu, { timeoutMs: 60_000 });
      const [activePort, standbyPort] = [await httpPortOf(active), await httpPortOf(standby)];
      expect(await readyz(standbyPort)).to.deep.equal({ status: 200, body: { status: 'ready', role: 'standby' } });
      await waitFor(async () => (await readyz(activePort)).status === 200, { timeoutMs: 30_000 });
      expect((await readyz(activePort)).body).to.deep.equal({ status: 'ready', role: 'active' });
      expect(await roleGauges(standbyPort)).to.deep.equal(['cidaas_sync_ha_role{role="active"} 0', 'cidaas_sync_ha_role{role="standby"} 1']);
      expect(await roleGauges(activePort)).to.deep.equal(['cidaas_sync_ha_role{role="active"} 1', 'cidaas_sync_ha_role{role="standby"} 0']);
      // A standby opens nothing on the source: one stream, the active's.
      const replica = active.lines.find((l) => l.message === 'cidaas-sync running')?.['ha'] as { replica: string };
      expect(standby.lines.some((l) => l.message === 'streaming')).to.equal(false);

      // Independent reads of the shared store: side by side.
      const [r, text] = await Promise.all([runCli(['status', '--json', '--config', config.path]), runCli(['status', '--config', config.path])]);
      expect(r.code, described(r)).to.equal(0);
      const ha = jsonOf<{ ha: HaStatus }>(r).ha;
      expect(ha).to.include({ lease: 'held', holder: replica.replica, pid: active.pid });
      expect(Number(ha.token)).to.be.greaterThan(0);
      expect(ha.leaseAgeSeconds).to.be.a('number');
      expect(text.stdout).to.match(new RegExp(`ha holder +${replica.replica.replace(/[/]/g, '\\/')} \\(host .+, pid ${active.pid}\\)`));
    });

    it('serves the status page on every replica: the standby names its role and reads the shared state store (#14)', async () => {
      const active = await set.currentActive();
      const standby = set.running.find((p) => p !== active)!;
      for (const [p, role] of [[active, 'active'], [standby, 'standby']] as const) {
        const port = await httpPortOf(p);
        const page = await fetch(`http://127.0.0.1:${port}/`);
        expect(page.status, role).to.equal(200);
        expect(await page.text(), role).to.contain('id="role"');
        const live = (await (await fetch(`http://127.0.0.1:${port}/status.json`)).json()) as { role: string; phase: string; actions: boolean; status: { checkpoint: unknown; users: { live: number } | null; source: { reachable: boolean } } };
        expect({ role: live.role, hasCheckpoint: live.status.checkpoint !== null, users: live.status.users?.live }, role)
          .to.deep.equal({ role, hasCheckpoint: true, users: 60 });
        expect(live.actions, role).to.equal(false);
        expect(live.status.source.reachable, role).to.equal(role === 'active');
        if (role === 'standby') expect(live.phase).to.equal('standby');
      }
    });

    it('hands the lease over at once on SIGTERM of the active, without waiting for it to expire', async () => {
      const active = await set.currentActive();
      const standby = set.running.find((p) => p !== active)!;
      const before = set.snapshot();
      const at = Date.now();
      expect((await active.terminate()).code).to.equal(0);
      const next = await set.newActive(before, 25_000);
      expect(next).to.equal(standby);
      expect(Date.now() - at, 'well under the 30 s lease').to.be.below(20_000);
      expect(count(standby, ACQUIRED)).to.equal(1);
      set.spawn();
    });

    it('runs cutover with the replicas running: it takes the lease, drains, verifies, and the replicas stay standby', async () => {
      const active = await set.currentActive();
      await target.db.query(`UPDATE users SET first_name = 'Cutover' WHERE id = (SELECT MIN(id) FROM (SELECT id FROM users WHERE deleted_at IS NULL) AS u)`);
      const r = await runCli(['cutover', '--config', config.path, '--timeout', '120', '--report', `${config.dir}/cutover.json`], { timeoutMs: 150_000 });
      expect(r.code, described(r)).to.equal(0);
      expect(r.stdout).to.contain('cutover complete: both sides match');
      await waitFor(() => !set.isActive(active), { timeoutMs: 30_000 });
      for (const p of set.running) expect(set.isActive(p)).to.equal(false);
      const s = jsonOf<{ ha: HaStatus }>(await runCli(['status', '--json', '--config', config.path])).ha;
      expect(s.lease).to.equal('held');
      expect(s.pid).to.not.equal(active.pid);
      for (const p of set.running) expect((await readyz(await httpPortOf(p))).body['role']).to.equal('standby');
      for (const p of set.running) expect((await p.terminate()).code).to.equal(0);
    });
  });
}
