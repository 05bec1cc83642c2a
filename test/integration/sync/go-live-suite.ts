import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../../config/load-config.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { waitForConvergence } from '../../support/convergence.js';
import { killAllSidecars, startSidecar } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers, type SeededUsers } from '../../support/user-generator.js';
import { createSyncTarget, type SyncTarget } from './sync-target.js';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/cidaas-sync.js', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface ReportShape { equal: boolean; differing: { key: string; groups: string[] }[]; missingInCidaas: string[] }

/** verify and cutover through the CLI, after a real sync. */
export function defineGoLiveSuite(kind: ShopDbKind): void {
  describe(`go-live against ${kind}: verify and cutover`, function () {
    this.timeout(180_000);
    let target: SyncTarget;
    let emu: RunningEmulator;
    let config: ShopConfigFile;
    let seeded: SeededUsers;

    before(async () => {
      target = await createSyncTarget(kind);
      emu = await startEmulator({ clientId: 'golive', clientSecret: 'golive-secret-1234' });
      seeded = await seedUsers(target.db, 2000, 5);
      config = await writeShopConfig({ kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: 'golive', clientSecret: 'golive-secret-1234' });
      const p = startSidecar({ args: ['run', '--config', config.path] });
      await p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 60_000);
      await target.db.updateUser(seeded.ids[0]!, { first_name: 'Synced' });
      await waitForConvergence(target.db, emu);
      expect((await p.terminate()).code).to.equal(0);
    });

    after(async () => {
      await killAllSidecars();
      await emu?.close();
      await target?.drop();
      await config?.remove();
    });

    it('verify exits 0 with an equal report when both sides match', async () => {
      const report = join(config.dir, 'clean.json');
      const r = await cli(['verify', '--config', config.path, '--report', report, '--no-progress']);
      expect(r.code, r.stderr).to.equal(0);
      expect(((JSON.parse(await readFile(report, 'utf8'))) as ReportShape).equal).to.equal(true);
    });

    it('verify exits 4 and names the user and the field group that differ', async () => {
      const sub = `legacy-${seeded.ids[10]}`;
      const original = emu.getUser(sub)!;
      emu.seed([{ ...original, given_name: 'Tampered In Cidaas' }]);
      const report = join(config.dir, 'differs.json');
      const r = await cli(['verify', '--config', config.path, '--report', report, '--no-progress']);
      expect(r.code, r.stderr).to.equal(4);
      expect(r.stderr).to.contain('VERIFY_DIFFERENCES');
      const parsed = JSON.parse(await readFile(report, 'utf8')) as ReportShape;
      expect(parsed.equal).to.equal(false);
      const hit = parsed.differing.find((d) => d.key === String(seeded.ids[10]));
      expect(hit?.groups).to.include('profile');
      emu.seed([original]);
    });

    // PostgreSQL only: a binlog reader leaves no trace a second process could see.
    if (kind === 'postgres') it('cutover refuses while run holds the stream', async () => {
      const p = startSidecar({ args: ['run', '--config', config.path] });
      await p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 60_000);
      const r = await cli(['cutover', '--config', config.path, '--no-progress']);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain('stop `cidaas-sync run` first');
      expect((await p.terminate()).code).to.equal(0);
    });

    it('cutover drains pending changes to lag 0, writes a passing report and removes the slot', async () => {
      // Changes made after run stopped: only cutover can bring them to cidaas.
      for (const id of seeded.ids.slice(100, 140)) await target.db.updateUser(id, { last_name: `Final${id}` });
      await target.db.hardDelete(seeded.ids[150]!);
      const report = join(config.dir, 'cutover.json');
      const r = await cli(['cutover', '--config', config.path, '--drop-slot', '--report', report, '--no-progress', '--timeout', '120']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('cutover complete');
      expect((JSON.parse(await readFile(report, 'utf8')) as ReportShape).equal).to.equal(true);
      await waitForConvergence(target.db, emu, { timeoutMs: 1000 });
      if (kind === 'postgres') {
        expect(r.stdout).to.contain('dropped');
        const { slot } = (await loadConfig(config.path)).source as { slot: string };
        expect(await target.db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = ?', [slot])).to.have.length(0);
      } else {
        expect(r.stdout).to.contain('final binlog position');
      }
    });
  });
}
