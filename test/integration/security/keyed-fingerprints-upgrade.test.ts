import { expect } from 'chai';
import { planPush } from '../../../src/dispatch/push-plan.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { FINGERPRINT_KEY_META } from '../../../src/digest/fingerprint-key.js';
import { unkeyedFingerprints, type FieldGroup } from '../../../src/digest/fingerprints.js';
import type { FieldFingerprints, OutcomeRecord } from '../../../src/state/state-store.js';
import { waitForConvergence } from '../../support/convergence.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers, type SeededUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { openRawSqlite } from '../fixtures/raw-sqlite.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';

const CLIENT_ID = 'upgrade-suite';
const CLIENT_SECRET = 'upgrade-suite-secret-4711';
const GROUPS: readonly FieldGroup[] = ['profile', 'email', 'password', 'mfa'];

async function caughtUp(sidecar: InProcessSidecar): Promise<void> {
  const target = await sidecar.pipeline.source.currentPosition();
  await waitFor(async () => {
    const cp = await sidecar.pipeline.store.getCheckpoint();
    return cp !== null && sidecar.pipeline.source.comparePositions(cp.position, target) >= 0;
  }, { timeoutMs: 30_000, message: 'the checkpoint did not reach the end of the log' });
}

/** Rewrites every user row as a cidaas-sync from before keyed fingerprints left it: the same pushes, fingerprinted unkeyed. */
async function writeUnkeyedFingerprints(sidecar: InProcessSidecar): Promise<void> {
  const p = sidecar.pipeline;
  const states = await p.store.listUserStates(null, 10_000);
  const rows = await p.reader.readUsers(states.map((s) => s.key));
  const outcomes: OutcomeRecord[] = [];
  for (const state of states) {
    const m = await p.mapper.map(rows.get(state.key)!);
    if (m.kind !== 'upsert') continue;
    const plan = planPush(m.user, m.groups, undefined, { onRevoked: p.config.password?.onRevoked ?? 'scramble', fingerprintKey: p.store.fingerprintKey() });
    expect(plan.fingerprints).to.deep.equal(state.fingerprints);
    const unkeyed = unkeyedFingerprints(plan.expected);
    const fingerprints: FieldFingerprints = {};
    // Keyed digests become their unkeyed form; the no-password and revoked markers stay as they are.
    for (const g of GROUPS) {
      const v = plan.fingerprints[g];
      if (v !== undefined) fingerprints[g] = v.length === 43 ? unkeyed[g]! : v;
    }
    outcomes.push({ kind: 'pushed', key: state.key, sub: state.sub, fingerprints, at: state.lastPushAt });
  }
  await p.store.recordOutcomes(outcomes);
}

describe('keyed fingerprints: a store from before keys, upgraded under a running sidecar (#13)', function () {
  this.timeout(180_000);
  let target: SyncTarget;
  let emu: RunningEmulator;
  let config: ShopConfigFile;
  let seeded: SeededUsers;
  let sidecar: InProcessSidecar | undefined;

  before(async () => {
    target = await createSyncTarget('postgres');
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    seeded = await seedUsers(target.db, 20, 13);
    config = await writeShopConfig({
      kind: 'postgres', sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url,
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, concurrency: 2,
    });
  });

  after(async () => {
    await sidecar?.stop();
    await emu?.close();
    await target?.drop();
    await config?.remove();
  });

  it('pushes nobody again for changes that change nothing, pushes the user that changed, and rewrites only that row keyed', async () => {
    sidecar = await startInProcessSidecar(config.path);
    await sidecar.streaming();
    await waitForConvergence(target.db, emu, { timeoutMs: 60_000 });
    await caughtUp(sidecar);
    await writeUnkeyedFingerprints(sidecar);
    await sidecar.stop();
    sidecar = undefined;
    const raw = openRawSqlite(config.statePath);
    raw.prepare('DELETE FROM cidaas_sync_meta WHERE name = ?').run(FINGERPRINT_KEY_META);
    raw.prepare("DELETE FROM cidaas_sync_migrations WHERE name = 'AddFingerprintKey1796169600000'").run();
    raw.close();

    sidecar = await startInProcessSidecar(config.path);
    await sidecar.streaming();
    expect(sidecar.logger.lines.find((l) => l.message === 'state store open')?.fields?.migrationsRun).to.deep.equal(['AddFingerprintKey1796169600000']);
    await caughtUp(sidecar);

    const [changed, ...touched] = seeded.ids.slice(0, 6);
    const updatedBefore = new Map(touched.map((id) => [id, emu.getUser(`legacy-${id}`)?.updatedTime]));
    const suppressedBefore = (await sidecar.metrics.suppressed.get()).values[0]?.value ?? 0;
    // Each touched user's mapped column changes and changes back in one transaction: logged, read back unchanged.
    for (const id of touched) {
      const original = (await target.db.getUser(id!))!;
      await target.db.transaction(async (tx) => {
        await tx.updateUser(id!, { last_name: 'Interim' });
        await tx.updateUser(id!, { last_name: original.last_name });
      });
    }
    await target.db.updateUser(changed!, { last_name: 'Upgraded' });
    await waitFor(() => emu.getUser(`legacy-${changed}`)?.family_name === 'Upgraded', { timeoutMs: 30_000, message: 'the changed user was not pushed' });
    await caughtUp(sidecar);

    const suppressed = ((await sidecar.metrics.suppressed.get()).values[0]?.value ?? 0) - suppressedBefore;
    expect(suppressed, 'touched users judged unchanged').to.equal(touched.length);
    for (const id of touched) expect(emu.getUser(`legacy-${id}`)?.updatedTime, `user ${id} pushed again`).to.equal(updatedBefore.get(id));
    const states = await sidecar.pipeline.store.getUserStates([String(changed), ...touched.map(String)]);
    expect(states.get(String(changed))?.fingerprints.profile).to.have.length(43);
    for (const id of touched) expect(states.get(String(id))?.fingerprints.profile, `row of ${id}`).to.match(/^[0-9a-f]{64}$/);
  });
});
