import { expect } from 'chai';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { waitForConvergence } from '../../support/convergence.js';
import { killAllSidecars, startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from './sync-target.js';

/** Prometheus text format: `name{label="v",...} value` lines, comments skipped. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('the HTTP endpoints of a running sidecar', function () {
  this.timeout(120_000);
  let target: SyncTarget;
  let emu: RunningEmulator;
  let config: ShopConfigFile;
  let p: SidecarProcess;
  let base: string;

  before(async () => {
    target = await createSyncTarget('postgres');
    emu = await startEmulator({ clientId: 'http', clientSecret: 'http-secret-5678' });
    const seeded = await seedUsers(target.db, 500, 3);
    config = await writeShopConfig({ kind: 'postgres', sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: 'http', clientSecret: 'http-secret-5678' });
    p = startSidecar({ args: ['run', '--config', config.path] });
    const running = await p.waitForLine((l) => l.message === 'cidaas-sync running', 30_000);
    base = `http://127.0.0.1:${String(running.http)}`;
    await p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 60_000);
    await target.db.updateUser(seeded.ids[0]!, { email: 'metrics.user@example.org' });
    await target.db.hardDelete(seeded.ids[1]!);
    await waitForConvergence(target.db, emu);
  });

  after(async () => {
    await killAllSidecars();
    await emu?.close();
    await target?.drop();
    await config?.remove();
  });

  it('/healthz answers 200', async () => {
    const r = await request(`${base}/healthz`);
    expect(r.statusCode).to.equal(200);
    expect(await r.body.json()).to.deep.equal({ status: 'ok' });
  });

  it('/readyz answers 200 once streaming with a small lag', async () => {
    await waitFor(async () => (await request(`${base}/readyz`)).statusCode === 200, { message: '/readyz never ready' });
  });

  it('/metrics is valid Prometheus text with the pushes, domain events, lag, backfill and latency', async () => {
    // The lag and pending gauges are refreshed every 5 s.
    let m = new Map<string, number>();
    await waitFor(async () => {
      const r = await request(`${base}/metrics`);
      expect(r.statusCode).to.equal(200);
      expect(String(r.headers['content-type'])).to.contain('text/plain');
      m = parseMetrics(await r.body.text());
      return m.has('cidaas_sync_lag_bytes') && m.has('cidaas_sync_source_retained_bytes');
    }, { timeoutMs: 20_000, message: 'lag gauges never set' });
    expect(m.get('cidaas_sync_pushes_total{outcome="created"}')).to.equal(500);
    expect(m.get('cidaas_sync_pushes_total{outcome="updated"}')).to.be.at.least(1);
    expect(m.get('cidaas_sync_pushes_total{outcome="deleted"}')).to.equal(1);
    expect(m.get('cidaas_sync_domain_events_total{type="email.changed"}')).to.equal(1);
    expect(m.get('cidaas_sync_domain_events_total{type="user.deleted"}')).to.equal(1);
    expect(m.get('cidaas_sync_backfill_users_done')).to.equal(500);
    expect(m.get('cidaas_sync_pending_users')).to.equal(0);
    expect(m.get('cidaas_sync_dead_letters')).to.equal(0);
    expect(m.get('cidaas_sync_batch_duration_seconds_count')).to.be.at.least(1);
    expect(m.get('cidaas_sync_change_latency_seconds_count')).to.be.at.least(2);
    expect(m.has('cidaas_sync_process_resident_memory_bytes')).to.equal(true);
  });

  it('answers 404 with a hint elsewhere', async () => {
    const r = await request(`${base}/nope`);
    expect(r.statusCode).to.equal(404);
    expect(await r.body.text()).to.contain('/metrics');
  });
});
