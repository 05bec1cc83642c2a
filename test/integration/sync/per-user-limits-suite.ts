import { expect } from 'chai';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import { createMariaDbDatabase, createPostgresDatabase, uniqueName } from '../../support/servers.js';
import { waitFor } from '../../support/wait-for.js';
import { CLIENT_ID, CLIENT_SECRET, writePlatformConfig, type PlatformConfig } from '../platforms/platform-fixture.js';

/** A legacy table keyed by a login text, as many hand-written schemas are. */
interface TextKeyedDb {
  readonly url: string;
  readonly publication?: string;
  insert(login: string, email: string): Promise<void>;
  drop(): Promise<void>;
}

async function textKeyedDb(kind: 'postgres' | 'mysql'): Promise<TextKeyedDb> {
  if (kind === 'postgres') {
    const d = await createPostgresDatabase('limits');
    const c = new pg.Client({ connectionString: d.url });
    await c.connect();
    const publication = uniqueName('pub');
    await c.query('CREATE TABLE accounts (login varchar(400) PRIMARY KEY, email text NOT NULL)');
    await c.query(`CREATE PUBLICATION ${publication} FOR TABLE accounts`);
    return {
      url: d.url, publication,
      insert: async (login, email) => { await c.query('INSERT INTO accounts VALUES ($1, $2)', [login, email]); },
      drop: async () => { await c.end(); await d.drop(); },
    };
  }
  const d = await createMariaDbDatabase('limits');
  const c = await mysql.createConnection({ uri: d.url });
  await c.query('CREATE TABLE accounts (login varchar(400) PRIMARY KEY, email varchar(200) NOT NULL) DEFAULT CHARACTER SET utf8mb4');
  return {
    url: d.url,
    insert: async (login, email) => { await c.query('INSERT INTO accounts VALUES (?, ?)', [login, email]); },
    drop: async () => { await c.end(); await d.drop(); },
  };
}

/**
 * One user's problem never stops the runner (#20): a key longer than the state store and cidaas
 * take (it crash-looped the runner: the store refused the batch's outcomes, the restart hit the
 * same batch) and a sub over 255 characters become dead letters with the reason, in the backfill
 * and in the stream, while the users around them are pushed.
 */
export function definePerUserLimitsSuite(kind: 'postgres' | 'mysql'): void {
  describe(`per-user limits against ${kind}: over-long keys are dead letters, never batch failures (#20)`, function () {
    this.timeout(120_000);
    let db: TextKeyedDb;
    let emu: RunningEmulator;
    let config: PlatformConfig;
    let sidecar: InProcessSidecar | undefined;

    before(async () => {
      db = await textKeyedDb(kind);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      config = await writePlatformConfig({
        kind, url: db.url, ...(db.publication ? { publication: db.publication } : {}), emulatorUrl: emu.url,
        body: { users: { table: kind === 'postgres' ? 'public.accounts' : 'accounts', key: 'login', fields: { email: 'email', username: 'login' } }, sub: { prefix: 'legacy-' } },
      });
    });

    after(async () => {
      await sidecar?.stop();
      await emu?.close();
      await db?.drop();
      await config?.remove();
    });

    it('dead-letters a 300-character key and a 250-character key (sub over 255) and pushes everyone else', async () => {
      await db.insert('alice', 'alice@example.com');
      await db.insert('k'.repeat(300), 'long@example.com');
      await db.insert('s'.repeat(250), 'sub@example.com');
      await db.insert('zed', 'zed@example.com');
      sidecar = await startInProcessSidecar(config.path);
      await sidecar.streaming();
      expect(emu.getUser('legacy-alice')).to.not.equal(undefined);
      expect(emu.getUser('legacy-zed')).to.not.equal(undefined);
      expect(emu.userCount).to.equal(2);

      await db.insert('m'.repeat(320), 'later@example.com');
      await db.insert('bob', 'bob@example.com');
      await waitFor(() => emu.getUser('legacy-bob') !== undefined, { timeoutMs: 30_000, message: 'the stream stopped after an over-long key' });
      await waitFor(async () => (await sidecar!.pipeline.store.countDeadLetters()) === 3, { timeoutMs: 30_000, message: 'not three dead letters' });
      expect(sidecar.runner.phase).to.equal('streaming');

      const dead = await sidecar.pipeline.store.listDeadLetters();
      const reasons = dead.map((d) => d.reason).sort();
      expect(reasons[0]).to.match(/^the legacy key is 300 characters/);
      expect(reasons[1]).to.match(/^the legacy key is 320 characters/);
      expect(reasons[2]).to.match(/^the sub \(sub.prefix \+ key\) is 257 characters/);
      for (const d of dead) expect(d.key.length).to.be.at.most(255);
      const warned = sidecar.logger.text().split('\n').filter((l) => l.includes('a user went to the dead-letter list'));
      expect(warned).to.have.length(3);
    });
  });
}
