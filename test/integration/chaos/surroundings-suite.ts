import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'chai';
import { compareLsn } from '../../../adapters/postgres/lsn.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import { startPostgresServer } from '../../support/postgres-server.js';
import { getMariaDbServer, getPostgresServer } from '../../support/servers.js';
import { killAllSidecars, type SidecarProcess } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { waitFor } from '../../support/wait-for.js';
import { ChaosWorkload } from './chaos-workload.js';
import { readiness } from './sidecar-probe.js';
import { openSidecarFixture, type SidecarFixture } from './sidecar-fixture.js';

/**
 * Faults of the surroundings (issue 8): the legacy database server restarts mid-stream; cidaas is
 * unreachable for a while; the state store stops taking writes. In each, the sidecar waits or
 * stops with a clear error, acknowledges to the source nothing it has not stored, says so on
 * /readyz, and converges once the surroundings are back.
 */

/** How long cidaas is unreachable. The issue says a minute; 15 s keeps `npm test` short and shows the same. */
const OUTAGE_MS = 15_000;

/** The position the source server holds as acknowledged: the slot's confirmed_flush_lsn (PostgreSQL; MariaDB keeps none). */
async function acknowledged(f: SidecarFixture): Promise<string | undefined> {
  if (f.kind !== 'postgres') return undefined;
  const [row] = await f.target.db.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = ?', [f.slot]);
  return typeof row?.['lsn'] === 'string' ? row['lsn'] : undefined;
}

/** The "stopping on an error" line of a state store failure, and what /readyz said after it. */
async function stateStoreFailure(p: SidecarProcess, port: number): Promise<{ error: string; ready: string }> {
  const line = await p.waitForLine((l) => l.message === 'stopping on an error', 60_000).catch((err: unknown) => {
    throw new Error(`the sidecar went on as if the state store were writable: ${(err as Error).message}`);
  });
  expect(line['code'], JSON.stringify(line)).to.equal('STATE_STORE');
  return { error: String(line['error']), ready: (await readiness(port)).state };
}

/** Samples the acknowledged position until the sidecar has exited (or 20 s passed while it waits). */
async function sampleAcknowledged(f: SidecarFixture, p: SidecarProcess): Promise<string[]> {
  const samples: string[] = [];
  const until = Date.now() + 20_000;
  await waitFor(
    async () => {
      const lsn = await acknowledged(f);
      if (lsn !== undefined) samples.push(lsn);
      return p.exit !== undefined || Date.now() > until;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return samples;
}

function expectNotAhead(samples: readonly string[], checkpoint: string | undefined): void {
  expect(checkpoint, 'a stored checkpoint').to.be.a('string');
  for (const lsn of samples) expect(compareLsn(lsn, checkpoint!), `acknowledged ${lsn} beyond the stored checkpoint ${checkpoint}`).to.be.at.most(0);
}

/** chattr +i / -i (root on a file system with inode flags); false when that is not possible here. */
function immutable(paths: readonly string[], on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', ...paths], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function defineSurroundingsSuite(kind: ShopDbKind): void {
  describe(`faults of the surroundings against ${kind} (issue 8)`, function () {
    this.timeout(180_000);
    let f: SidecarFixture | undefined;
    // MariaDB keeps no acknowledged position for a binlog reader: there, resuming from the store is the check.
    const acknowledges = kind === 'postgres' ? 'acknowledges to the slot nothing it did not store' : 'resumes from what it stored';

    afterEach(async () => {
      await killAllSidecars();
      await f?.close();
      f = undefined;
    });

    it('keeps streaming across a restart of the database server and converges', async () => {
      f = await openSidecarFixture(kind);
      const { p } = await f.start();
      await f.converge(p);
      const workload = new ChaosWorkload({ db: f.target.db, seed: 11, ids: f.seeded.ids, longLaneShare: 0 });
      // Changes still being pushed when the server goes down.
      await workload.steps(120);
      const server = kind === 'postgres' ? await getPostgresServer() : await getMariaDbServer();
      await server.restart();
      await workload.steps(120);
      await f.converge(p, 90_000);
      expect(p.exit, p.stderr).to.equal(undefined);
      expect(p.lines.some((l) => l.level === 'warn' && /lost|reconnect|retry/i.test(l.message)), 'the sidecar noticed the restart').to.equal(true);
    });

    it(`waits while cidaas is unreachable (${OUTAGE_MS / 1000} s here; a minute in the issue), says not ready meanwhile, and converges after`, async () => {
      f = await openSidecarFixture(kind, { extra: { http: { readyLagSeconds: 2 } } });
      const { p, port } = await f.start();
      await f.converge(p);
      await waitFor(async () => (await readiness(port)).state === 'ready', { timeoutMs: 20_000, message: '/readyz ready before the outage' });
      // Unreachable: every API call and the token endpoint reset without an answer.
      f.emu.addFaults([{ drop: true }, { path: '/token-srv/token', drop: true }]);
      const outageEnds = Date.now() + OUTAGE_MS;
      const workload = new ChaosWorkload({ db: f.target.db, seed: 12, ids: f.seeded.ids, longLaneShare: 0 });
      await workload.steps(60);
      await waitFor(async () => (await readiness(port)).state === 'not ready', { timeoutMs: OUTAGE_MS, message: '/readyz to say not ready during the outage' });
      // For the rest of the outage: up, not ready, and the changes keep coming.
      await waitFor(
        async () => {
          expect(p.exit, `the sidecar exited during the outage: ${p.stderr}`).to.equal(undefined);
          expect((await readiness(port)).state).to.equal('not ready');
          await workload.steps(2);
          return Date.now() >= outageEnds;
        },
        { timeoutMs: OUTAGE_MS + 30_000, intervalMs: 500 },
      );
      const dropped = Object.values(f.emu.stats().requests).reduce((n, byStatus) => n + (byStatus['drop'] ?? 0), 0);
      expect(dropped, 'calls dropped during the outage').to.be.greaterThan(0);
      await fetch(`${f.emu.url}/_emulator/faults`, { method: 'DELETE' });
      await f.converge(p, 90_000);
      await waitFor(async () => (await readiness(port)).state === 'ready', { timeoutMs: 30_000, message: '/readyz ready after the outage' });
    });

    it(`stops with a clear error when the SQLite state store turns read-only, ${acknowledges}, and converges once it is writable`, async function () {
      f = await openSidecarFixture(kind);
      const { p, port } = await f.start();
      await f.converge(p);
      const state = f.config.statePath;
      const files = [state, `${state}-wal`, dirname(state)].filter((path) => existsSync(path));
      if (!immutable(files, true)) this.skip(); // needs root and chattr; the PostgreSQL store case below covers the rest
      let samples: string[];
      try {
        await new ChaosWorkload({ db: f.target.db, seed: 13, ids: f.seeded.ids, longLaneShare: 0 }).steps(40);
        const failure = await stateStoreFailure(p, port);
        expect(failure.error).to.match(/state store/);
        expect(failure.ready, '/readyz after the failure').to.not.equal('ready');
        samples = await sampleAcknowledged(f, p);
        if (p.exit !== undefined) expect(p.exit.code, 'exit code of a sidecar that gave up').to.not.equal(0);
      } finally {
        immutable(files, false);
      }
      await p.kill9();
      const store = await openStateStore(`sqlite:${state}`);
      const checkpoint = (await store.getCheckpoint().finally(() => store.close()))?.position;
      if (kind === 'postgres') expectNotAhead([...samples, (await acknowledged(f))!], checkpoint);
      const next = await f.start();
      await f.converge(next.p, 60_000);
    });

    it(`stops with a clear error when the PostgreSQL server of the state store goes down, ${acknowledges}, and converges once it is back`, async () => {
      const stateServer = await startPostgresServer();
      try {
        f = await openSidecarFixture(kind, { stateUrl: stateServer.url });
        const { p, port } = await f.start();
        await f.converge(p);
        await stateServer.stop();
        await new ChaosWorkload({ db: f.target.db, seed: 14, ids: f.seeded.ids, longLaneShare: 0 }).steps(40);
        const failure = await stateStoreFailure(p, port);
        expect(failure.error).to.match(/state store/);
        expect(failure.ready, '/readyz after the failure').to.not.equal('ready');
        const samples = await sampleAcknowledged(f, p);
        if (p.exit !== undefined) expect(p.exit.code, 'exit code of a sidecar that gave up').to.not.equal(0);
        await p.kill9();
        await stateServer.start();
        const store = await openStateStore(stateServer.url);
        const checkpoint = (await store.getCheckpoint().finally(() => store.close()))?.position;
        if (kind === 'postgres') expectNotAhead([...samples, (await acknowledged(f))!], checkpoint);
        const next = await f.start();
        await f.converge(next.p, 60_000);
      } finally {
        await stateServer.close();
      }
    });
  });
}
