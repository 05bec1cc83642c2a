import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import { seedUsers } from '../../support/user-generator.js';
import { PENDING_META } from '../../../src/cli/commands/status.js';
import { pollUntil } from '../../../tools/throwaway/poll-until.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import { cliFixture, type CliFixture } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

interface StatusJson {
  store: { location: string; exists: boolean };
  checkpoint: { position: string; updatedAt: string } | null;
  backfill: { status: string; usersDone: number; lastKey: string | null } | null;
  users: { live: number; deleted: number } | null;
  deadLetters: number | null;
  lastPushAt: string | null;
  pendingUsers: { users: number; at: string | null } | null;
  source: { reachable: boolean; lagBytes: number | null; lagSecondsApprox: number | null; retainedBytes: number | null };
}

describe('cidaas-sync status', function () {
  this.timeout(60_000);
  let f: CliFixture;
  let sidecar: SidecarProcess | undefined;

  before(async () => {
    f = await cliFixture();
    await seedUsers(f.shop, 30);
  });
  after(async () => {
    if (sidecar && !sidecar.exit) await sidecar.kill9();
    await f?.close();
  });

  it('says nothing ran yet, without creating the state store, and exits 0', async () => {
    // Independent reads of the same store: side by side.
    const [r, json] = await Promise.all([runCli(['status', '--config', f.config.path]), runCli(['status', '--json', '--config', f.config.path])]);
    expect(r.code, described(r)).to.equal(0);
    expect(r.stdout).to.match(/^state store\s+\S+state\.db \(not created yet: cidaas-sync has not run with this configuration\)$/m);
    expect(r.stdout).to.match(/^checkpoint\s+none yet$/m);
    expect(r.stdout).to.match(/^backfill\s+not started$/m);
    expect(r.stdout).to.match(/^lag\s+unknown \(no slot yet\)$/m);
    const j = jsonOf<StatusJson>(json);
    expect(j.store.exists).to.equal(false);
    expect(existsSync(f.config.statePath)).to.equal(false);
  });

  it('reads the checkpoint, backfill, users and lag while `run` holds the state store', async () => {
    sidecar = startSidecar({ args: ['run', '--config', f.config.path] });
    await sidecar.waitForLine((l) => l.message === 'streaming', 30_000);
    // What only the running sidecar knows (its pending users) reaches `status` through the state
    // store: wait for the sidecar's own first write instead of racing it with one of ours.
    const store = await openStateStore(`sqlite:${f.config.statePath}`);
    await pollUntil(async () => (await store.getMeta(PENDING_META)) !== null, { timeoutMs: 30_000, message: 'the sidecar to note its pending users' });
    await store.close();

    const [json, plain, check] = await Promise.all([
      runCli(['status', '--json', '--config', f.config.path]), runCli(['status', '--config', f.config.path]), runCli(['check', '--config', f.config.path]),
    ]);
    expect(json.code, described(json)).to.equal(0);
    const s = jsonOf<StatusJson>(json);
    expect(s.store.exists).to.equal(true);
    expect(s.checkpoint?.position).to.match(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(s.backfill).to.include({ status: 'done', usersDone: 30 });
    expect(s.users).to.deep.equal({ live: 30, deleted: 0 });
    expect(s.deadLetters).to.equal(0);
    expect(s.lastPushAt).to.be.a('string');
    expect(s.pendingUsers?.users).to.equal(0);
    expect(Date.now() - Date.parse(s.pendingUsers?.at ?? '')).to.be.within(0, 120_000);
    expect(s.source.reachable).to.equal(true);
    expect(s.source.lagBytes).to.be.a('number');
    expect(s.source.retainedBytes).to.be.a('number');

    expect(plain.code, described(plain)).to.equal(0);
    expect(plain.stdout).to.match(/^backfill\s+done: 30 users, finished \S+$/m);
    expect(plain.stdout).to.match(/^users\s+30 live in cidaas, 0 deleted$/m);
    expect(plain.stdout).to.match(/^dead letters\s+0$/m);
    expect(plain.stdout).to.match(/^pending users\s+0 \(as of \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
    expect(plain.stdout).to.match(/^WAL retained\s+(\d+ bytes|\d+\.\d MB) by slot slot_\w+$/m);
    expect(check.code, described(check)).to.equal(0);
    expect(check.stdout).to.match(/^pass consumer of slot slot_\w+: a running cidaas-sync streams from it \(pid \d+, cidaas-sync-stream/m);
    expect(sidecar.exit).to.equal(undefined);
    expect((await sidecar.terminate()).code).to.equal(0);
  });
});
