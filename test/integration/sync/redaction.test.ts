import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { waitForConvergence } from '../../support/convergence.js';
import { killAllSidecars, startSidecar } from '../../support/sidecar-process.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { newPassword, seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from './sync-target.js';

const CLIENT_SECRET = 'redaction-client-secret-9f83b1c2';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;

describe('no secret reaches a log line or the state store in a whole sync', function () {
  this.timeout(120_000);
  let target: SyncTarget;
  let emu: RunningEmulator;
  let config: ShopConfigFile;

  before(async () => {
    target = await createSyncTarget('postgres');
    emu = await startEmulator({ clientId: 'redaction', clientSecret: CLIENT_SECRET });
    config = await writeShopConfig({ kind: 'postgres', sourceUrl: target.url, publication: target.publication, emulatorUrl: emu.url, clientId: 'redaction', clientSecret: CLIENT_SECRET });
  });

  after(async () => {
    await killAllSidecars();
    await emu?.close();
    await target?.drop();
    await config?.remove();
  });

  it('finds no password hash, TOTP secret, client secret or token in stdout, stderr or the state store', async () => {
    const seeded = await seedUsers(target.db, 300, 11);
    const p = startSidecar({ args: ['run', '--config', config.path], env: { LOG_LEVEL: 'debug' } });
    await p.waitForLine((l) => l.message === 'streaming' && l.component === 'runner', 60_000);
    // Every kind of change that carries a secret, a refused user (its cidaas message is logged), and faults.
    emu.addFaults([{ failEmail: 'refused.redaction@example.org', message: 'refused for the redaction test' }, { path: '/users-srv/user/bulk', status: 503, times: 2 }]);
    for (const id of seeded.ids.slice(0, 20)) await target.db.setPassword(id, (await newPassword()).hash);
    for (const id of seeded.ids.slice(20, 40)) await target.db.setTotp(id, base32Encode(randomBytes(20)), true);
    await target.db.updateUser(seeded.ids[50]!, { email: 'refused.redaction@example.org' });
    await target.db.hardDelete(seeded.ids[60]!);
    await waitForConvergence(target.db, emu, { expectDeadLetters: [`legacy-${seeded.ids[50]}`], timeoutMs: 60_000 });
    await waitFor(() => p.lines.some((l) => l.message === 'cidaas refused a user; it is in the dead-letter list'), { message: () => 'no dead-letter line: ' + p.lines.filter((l) => l.level !== 'debug').slice(-8).map((l) => JSON.stringify(l)).join('\n') });
    const exit = await p.terminate();
    expect(exit.code).to.equal(0);

    const secrets = new Set<string>([CLIENT_SECRET]);
    for (const r of await target.db.query('SELECT password_hash FROM credentials')) secrets.add(String(r.password_hash));
    for (const r of await target.db.query('SELECT secret_base32 FROM totp_devices')) secrets.add(String(r.secret_base32));
    for (const u of emu.users()) {
      if (u.password_hash_info) secrets.add(u.password_hash_info.passwordHash);
      if (u.mfa?.totp?.secret) secrets.add(u.mfa.totp.secret);
    }
    expect(secrets.size, "distinct secrets looked for").to.be.greaterThan(150);

    const stdout = p.lines.map((l) => JSON.stringify(l)).join('\n');
    expect(p.lines.length, 'the run logged').to.be.greaterThan(10);
    expect(stdout).to.contain('password.changed');
    const files = (await readdir(config.dir)).filter((f) => f.startsWith('state.db'));
    expect(files).to.include('state.db');
    const stores = await Promise.all(files.map((f) => readFile(join(config.dir, f))));
    const places: [string, string][] = [['stdout', stdout], ['stderr', p.stderr], ...stores.map((b, i): [string, string] => [`state store ${files[i]}`, b.toString('latin1')])];
    for (const [where, text] of places) {
      for (const s of secrets) expect(text.includes(s), `a secret (${s.slice(0, 4)}…) in ${where}`).to.equal(false);
      expect(JWT.test(text), `a token in ${where}`).to.equal(false);
    }
  });
});
