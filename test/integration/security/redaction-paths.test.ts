import { expect } from 'chai';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from '../../../config/load-config.js';
import { openSource } from '../../../src/app/open-pipeline.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { freePort } from '../../support/free-port.js';
import { startInProcessSidecar } from '../../support/in-process-sidecar.js';
import { getMariaDbServer } from '../../support/servers.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers } from '../../support/user-generator.js';
import { waitFor } from '../../support/wait-for.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';
import { described, runCli } from '../cli/cli-run.js';

const CLIENT_ID = 'redaction-paths';
const CLIENT_SECRET = 'redaction-paths-secret-5a1c';

/** The test's own inputs in a config dir; every other file there was written by cidaas-sync. */
const INPUTS = new Set(['cidaas-sync.yaml', 'client-secret', 'throwing-mapping.ts']);

/** Every file cidaas-sync wrote under `dir`, as text. */
async function filesIn(dir: string): Promise<[string, string][]> {
  const names = (await readdir(dir)).filter((n) => !INPUTS.has(n));
  return Promise.all(names.map(async (n): Promise<[string, string]> => [n, (await readFile(join(dir, n))).toString('latin1')]));
}

function expectNone(places: readonly [string, string][], secrets: readonly string[]): void {
  for (const [where, text] of places) {
    for (const s of secrets) expect(text.includes(s), `${s} in ${where}:\n${text.slice(0, 2000)}`).to.equal(false);
  }
}

describe('one redaction path: each leak of #13 through the real code path', function () {
  this.timeout(120_000);
  let target: SyncTarget;
  let emu: RunningEmulator;
  let closedPort: number;
  const configs: ShopConfigFile[] = [];

  before(async () => {
    target = await createSyncTarget('postgres');
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    closedPort = await freePort();
  });
  after(async () => {
    await emu?.close();
    await target?.drop();
    for (const c of configs) await c.remove();
  });

  async function config(extra: Record<string, unknown>, sourceUrl = target.url): Promise<ShopConfigFile> {
    const c = await writeShopConfig({ kind: 'postgres', sourceUrl, publication: target.publication, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, extra });
    configs.push(c);
    return c;
  }

  it('a state.url without a scheme (`u:StatePW@db/x`) is not printed whole', async () => {
    const c = await config({ state: { url: 'u:StatePW-4711@db/x' } });
    const r = await runCli(['check', '--config', c.path]);
    expect(r.code, described(r)).to.equal(2);
    expect(r.stderr).to.include('u:***@db/x');
    expectNone([['stdout', r.stdout], ['stderr', r.stderr], ...(await filesIn(c.dir))], ['StatePW-4711']);
  });

  it('`?password=` in a state URL: not in status, not in the run log or its error', async () => {
    const c = await config({ state: { url: `postgres://st@127.0.0.1:${closedPort}/x?password=QueryPw-4711` } });
    // Both fail on the closed port, independently: side by side.
    const [status, run] = await Promise.all([runCli(['status', '--config', c.path]), runCli(['run', '--config', c.path], { timeoutMs: 60_000 })]);
    expect(run.code, described(run)).to.not.equal(0);
    expect(status.stdout + status.stderr + run.stdout + run.stderr).to.include('password=***');
    expectNone([['status', status.stdout + status.stderr], ['run', run.stdout + run.stderr], ...(await filesIn(c.dir))], ['QueryPw-4711']);
  });

  it('`?sslpassword=` is refused by name, its value not shown', async () => {
    const c = await config({ source: { url: `${target.url}?sslpassword=SslPw-4711x` } });
    const r = await runCli(['check', '--config', c.path]);
    expect(r.stderr, described(r)).to.include('`sslpassword=`');
    expectNone([['check', r.stdout + r.stderr]], ['SslPw-4711x']);
  });

  it('a substituted ${ENV} password is masked wherever a driver message repeats it, and may hold @/#?%', async () => {
    const password = 'Subst@Pw/4711#?%x';
    const c = await config({ source: { url: `postgres://nobody_here:\${REDACT_PW}@127.0.0.1:${closedPort}/shop` } });
    const r = await runCli(['status', '--config', c.path], { env: { REDACT_PW: password } });
    expect(r.stdout + r.stderr, described(r)).to.include(`127.0.0.1:${closedPort}`);
    expectNone([['status', r.stdout + r.stderr], ...(await filesIn(c.dir))], [password, encodeURIComponent(password)]);
    const loaded = await loadConfig(c.path, { ...process.env, REDACT_PW: password });
    const url = new URL(loaded.source.url.reveal());
    expect([decodeURIComponent(url.password), url.hostname, url.port]).to.deep.equal([password, '127.0.0.1', String(closedPort)]);
  });

  it("mysql2's err.input does not carry the URL", async () => {
    const mariadb = await getMariaDbServer();
    const c = await writeShopConfig({
      kind: 'mysql', sourceUrl: `mysql://root:Wrong-Pw-4711@127.0.0.1:${mariadb.port}/mysql`, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
    });
    configs.push(c);
    const { source, dialect } = await openSource(await loadConfig(c.path), new MemoryLogger());
    try {
      const err = await source.currentPosition().then(() => new Error('connected'), (e: unknown) => e as Error);
      expect(err.message).to.match(/Access denied/);
      expectNone([['inspect', inspect(err, { depth: 8, showHidden: false })], ['message', err.message]], ['Wrong-Pw-4711']);
    } finally {
      await source.stop().catch(() => undefined);
      await dialect.close().catch(() => undefined);
    }
  });

  it("a mapping module's exception and cidaas's refusal reach the dead-letter list and the log redacted", async () => {
    const seeded = await seedUsers(target.db, 3, 17);
    const hashes = (await target.db.query('SELECT password_hash FROM credentials')).map((r) => String(r['password_hash']));
    const c = await config({ mapping: './throwing-mapping.ts' });
    await writeFile(join(c.dir, 'throwing-mapping.ts'), [
      'export default function map(entity: { email?: string }, legacy: { user: Record<string, unknown>; password?: Record<string, unknown> }) {',
      `  if (String(legacy.user['id']) === '${seeded.ids[0]}') throw new Error('cannot map ' + JSON.stringify(legacy.password));`,
      '  return entity;',
      '}',
      '',
    ].join('\n'));
    const refused = (await target.db.getUser(seeded.ids[1]!))!.email;
    emu.addFaults([{ failEmail: refused, message: `refused; the client was ${CLIENT_ID}:${CLIENT_SECRET}` }]);
    const sidecar = await startInProcessSidecar(c.path);
    try {
      await sidecar.streaming();
      let seen = '';
      await waitFor(async () => {
        const letters = await sidecar.pipeline.store.listDeadLetters();
        seen = JSON.stringify(letters);
        return letters.length === 2;
      }, { message: () => `two dead letters; have ${seen}; log ${sidecar.logger.text().slice(-1500)}` });
      const dead = await sidecar.pipeline.store.listDeadLetters();
      expect(dead.map((d) => d.reason).join('\n')).to.include('mapping module threw').and.to.include('[value]');
      expectNone([['log', sidecar.logger.text()], ['dead letters', JSON.stringify(dead)]], [...hashes, CLIENT_SECRET]);
    } finally {
      await sidecar.stop();
    }
    const written = await filesIn(c.dir);
    expect(written.map(([n]) => n)).to.include('state.db');
    expectNone(written, [...hashes, CLIENT_SECRET]);
  });
});
