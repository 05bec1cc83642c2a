import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator, type StoredUser } from '../../../tools/emulator/cidaas-emulator.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import type { VerifyReport } from '../../../src/verify/verify-report.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { newPassword, seededRandom } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { runCli } from '../cli/cli-run.js';
import { createSyncTarget, type SyncTarget } from './sync-target.js';

const CLIENT_ID = 'absent-property';
const CLIENT_SECRET = 'absent-property-secret-20';
const SEED = Number(process.env.ABSENT_SEED ?? Date.now() % 100_000);
const USERS = 10;

type PasswordState = 'hash' | 'django-unusable' | 'unix-locked' | 'empty' | 'no-row';
type MfaState = 'confirmed' | 'unconfirmed' | 'none';

/** Puts one user's password and TOTP into a random state (each a transaction of its own). */
async function randomize(t: SyncTarget, id: number, random: () => number): Promise<string> {
  const pw: PasswordState = (['hash', 'hash', 'django-unusable', 'unix-locked', 'empty', 'no-row'] as const)[Math.floor(random() * 6)]!;
  if (pw === 'no-row') await t.db.query('DELETE FROM credentials WHERE user_id = ?', [id]);
  else await t.db.setPassword(id, pw === 'hash' ? (await newPassword()).hash : pw === 'django-unusable' ? '!' + 'R'.repeat(20) + String(Math.floor(random() * 1e19)).padStart(20, '0') : pw === 'unix-locked' ? '!!' : '');
  const mfa: MfaState = (['confirmed', 'unconfirmed', 'none'] as const)[Math.floor(random() * 3)]!;
  if (mfa === 'none') await t.db.setTotp(id, null, false);
  else await t.db.setTotp(id, base32Encode(Buffer.from(Array.from({ length: 20 }, () => Math.floor(random() * 256)))), mfa === 'confirmed');
  const name = random() < 0.3 ? null : `N${Math.floor(random() * 1e6)}`;
  await t.db.updateUser(id, { first_name: name });
  return `${id}: ${pw}/${mfa}/${name === null ? 'no name' : 'name'}`;
}

let anchors = 0;

/**
 * Waits until everything written so far is pushed: a last change to an anchor user is seen in
 * cidaas (so the stream delivered everything before it), then the stored checkpoint passes it (so
 * every user dirtied before it is pushed too).
 */
async function caughtUp(sidecar: InProcessSidecar, t: SyncTarget, emu: RunningEmulator, anchor: number): Promise<void> {
  anchors += 1;
  const mark = `Anchor${anchors}`;
  await t.db.updateUser(anchor, { last_name: mark });
  await waitFor(() => emu.getUser(`legacy-${anchor}`)?.family_name === mark, { timeoutMs: 60_000, message: 'the anchor change did not reach cidaas' });
  const target = await sidecar.pipeline.source.currentPosition();
  await waitFor(async () => {
    const cp = await sidecar.pipeline.store.getCheckpoint();
    return cp !== null && sidecar.pipeline.source.comparePositions(cp.position, target) >= 0;
  }, { timeoutMs: 60_000, message: () => `the checkpoint did not reach the end of the log; log:\n${sidecar.logger.text().slice(-1500)}` });
}

async function verify(config: ShopConfigFile, name: string): Promise<{ code: number | null; report: VerifyReport; out: string }> {
  const path = join(config.dir, `${name}.json`);
  const r = await runCli(['verify', '--config', config.path, '--no-progress', '--report', path], { timeoutMs: 60_000 });
  return { code: r.code, report: JSON.parse(await readFile(path, 'utf8')) as VerifyReport, out: r.stdout + r.stderr };
}

/** One difference made in cidaas behind the sidecar's back, where the stored user allows it; the group verify must name. */
function inject(u: StoredUser, random: () => number): { user: StoredUser; group: 'profile' | 'password' | 'mfa' } {
  const options: { user: StoredUser; group: 'profile' | 'password' | 'mfa' }[] = [
    { user: { ...u, given_name: `Injected${Math.floor(random() * 1e6)}` }, group: 'profile' },
  ];
  if (u.mfa?.totp) options.push({ user: { ...u, mfa: {} }, group: 'mfa' });
  else options.push({ user: { ...u, mfa: { totp: { secret: base32Encode(Buffer.alloc(20, 9)), algorithm: 'SHA1', digits: 6, period: 30 } } }, group: 'mfa' });
  if (u.password_hash_info && u.password_hash_info.algorithmTypeId.startsWith('BCRYPT')) {
    const { password_hash_info: _dropped, ...rest } = u;
    options.push({ user: rest, group: 'password' });
  } else if (!u.password_hash_info) {
    options.push({ user: { ...u, password_hash_info: { algorithmTypeId: 'SHA256', passwordHash: 'ab'.repeat(32) } }, group: 'password' });
  }
  return options[Math.floor(random() * options.length)]!;
}

/**
 * One meaning of "absent" for push and verify (#20), as a property: seeded random legacy states
 * (usable, unusable, empty and missing passwords; confirmed, unconfirmed and no TOTP devices; set
 * and cleared names), changed at random after a first sync; once the sync has converged, verify is
 * equal; then each difference made in cidaas is found, naming its user and group.
 */
export function defineAbsentPropertySuite(kind: ShopDbKind): void {
  describe(`absent means the same to push and verify against ${kind} (#20; seed ${SEED}, replay with ABSENT_SEED=${SEED})`, function () {
    this.timeout(240_000);
    let target: SyncTarget;
    let emu: RunningEmulator;
    let config: ShopConfigFile;
    let sidecar: InProcessSidecar | undefined;

    before(async () => {
      target = await createSyncTarget(kind);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      config = await writeShopConfig({ kind, sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, concurrency: 2 });
    });

    after(async () => {
      await sidecar?.stop();
      await emu?.close();
      await target?.drop();
      await config?.remove();
    });

    it('a converged sync verifies equal, and every injected difference is found', async () => {
      const random = seededRandom(SEED);
      const ids: number[] = [];
      const history: string[] = [];
      for (let i = 0; i < USERS; i++) {
        const id = await target.db.insertUser({ email: `absent.${i}.${SEED}@example.org`, first_name: 'First' });
        ids.push(id);
        history.push(await randomize(target, id, random));
      }
      sidecar = await startInProcessSidecar(config.path);
      await sidecar.streaming();
      await caughtUp(sidecar, target, emu, ids[0]!);
      for (let round = 0; round < 2; round++) {
        for (const id of ids) if (random() < 0.6) history.push(await randomize(target, id, random));
        await caughtUp(sidecar, target, emu, ids[0]!);
      }
      await sidecar.stop();
      sidecar = undefined;

      const equal = await verify(config, 'converged');
      expect(equal.code, `verify after convergence (seed ${SEED}; ${history.join(', ')}):\n${equal.out}`).to.equal(0);
      expect(equal.report.counts.deadLetters, 'no user is a dead letter').to.equal(0);

      const victims = ids.filter(() => random() < 0.5).slice(0, 4);
      if (victims.length === 0) victims.push(ids[0]!);
      const injected = new Map<string, string>();
      for (const id of victims) {
        const stored = emu.getUser(`legacy-${id}`)!;
        const d = inject(stored, random);
        emu.seed([d.user]);
        injected.set(String(id), d.group);
      }
      const found = await verify(config, 'injected');
      expect(found.code, found.out).to.equal(4);
      const differing = new Map(found.report.differing.map((d) => [d.key, d.groups as string[]]));
      for (const [key, group] of injected) {
        expect(differing.get(key), `injected ${group} at ${key} not found (seed ${SEED}; ${history.join(', ')})`).to.include(group);
      }
      expect([...differing.keys()].sort()).to.deep.equal([...injected.keys()].sort());
    });
  });
}

