import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { request } from 'undici';
import { stringify } from 'yaml';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { startInProcessSidecar, type InProcessSidecar } from '../../support/in-process-sidecar.js';
import { uniqueName } from '../../support/servers.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { uniqueServerId } from '../../support/test-config.js';
import { waitFor } from '../../support/wait-for.js';
import { createScratchDb, type ScratchDb } from './key-type-db.js';

const CLIENT_ID = 'row-filters';
const CLIENT_SECRET = 'row-filters-secret';

async function login(emu: RunningEmulator, sub: string, password: string): Promise<boolean> {
  const r = await request(`${emu.url}/_emulator/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, password }) });
  return ((await r.body.json()) as { ok: boolean }).ok;
}

/**
 * Row filters (#20) on the users, password and attributes tables: in the backfill's reads and
 * on the log, a row moving out of the filter is a delete for its user, one moving in an insert.
 */
export function defineRowFilterSuite(kind: ShopDbKind): void {
  describe(`row filters against ${kind} (#20)`, function () {
    this.timeout(120_000);
    let db: ScratchDb;
    let emu: RunningEmulator;
    let dir: string;
    let sidecar: InProcessSidecar | undefined;

    before(async () => {
      db = await createScratchDb(kind, 'filters');
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-filters-'));
    });
    after(async () => {
      await sidecar?.stop();
      await emu?.close();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('syncs only matching rows and follows rows moving in and out of the filter', async () => {
      await db.exec('CREATE TABLE accounts (id INT PRIMARY KEY, tenant VARCHAR(20), active SMALLINT, email VARCHAR(100))');
      await db.exec('CREATE TABLE secrets (id INT PRIMARY KEY, account_id INT, kind VARCHAR(20), hash VARCHAR(100))');
      await db.exec('CREATE TABLE props (id INT PRIMARY KEY, account_id INT, site INT, name VARCHAR(40), val VARCHAR(100))');
      if (kind === 'postgres') for (const t of ['secrets', 'props']) await db.exec(`ALTER TABLE ${t} REPLICA IDENTITY FULL`);
      await db.publish(['accounts', 'secrets', 'props']);
      const current = await bcrypt.hash('Current-1', 4);
      const old = await bcrypt.hash('Old-1', 4);
      for (const [id, tenant] of [[1, 'shop'], [2, 'shop'], [3, 'shop'], [4, 'other']] as const) {
        await db.exec('INSERT INTO accounts (id, tenant, active, email) VALUES (?, ?, 1, ?)', [id, tenant, `a${id}@example.org`]);
        await db.exec('INSERT INTO secrets (id, account_id, kind, hash) VALUES (?, ?, ?, ?)', [id * 10, id, 'old', old]);
        await db.exec('INSERT INTO secrets (id, account_id, kind, hash) VALUES (?, ?, ?, ?)', [id * 10 + 1, id, 'current', current]);
        await db.exec('INSERT INTO props (id, account_id, site, name, val) VALUES (?, ?, 1, ?, ?)', [id * 10, id, 'first_name', `Site1-${id}`]);
        await db.exec('INSERT INTO props (id, account_id, site, name, val) VALUES (?, ?, 2, ?, ?)', [id * 10 + 1, id, 'first_name', `Site2-${id}`]);
      }
      const t = (name: string): string => (kind === 'postgres' ? `public.${name}` : name);
      const config = join(dir, 'cidaas-sync.yaml');
      await writeFile(config, stringify({
        source: kind === 'postgres'
          ? { kind: 'postgres', url: db.url, slot: uniqueName('slot'), publication: db.publication }
          : { kind: 'mysql', url: db.url, serverId: uniqueServerId() },
        users: { table: t('accounts'), key: 'id', fields: { email: 'email' }, filter: { tenant: ['shop'], active: 1 } },
        password: { table: t('secrets'), userKey: 'account_id', hash: 'hash', filter: { kind: 'current' } },
        attributes: { table: t('props'), userKey: 'account_id', name: 'name', value: 'val', fields: { given_name: 'first_name' }, filter: { site: 1 } },
        sub: { prefix: 'f-' },
        cidaas: { baseUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, allowEmulator: true },
        state: { url: `sqlite:${join(dir, 'state.db')}` },
        http: { port: 0, host: '127.0.0.1' },
      }));
      sidecar = await startInProcessSidecar(config);
      await sidecar.streaming(60_000);
      expect(emu.userCount).to.equal(3);
      expect(emu.getUser('f-4')).to.equal(undefined);
      expect(emu.getUser('f-1')?.given_name).to.equal('Site1-1');
      expect(await login(emu, 'f-1', 'Current-1')).to.equal(true);
      expect(await login(emu, 'f-1', 'Old-1')).to.equal(false);
      const read = await sidecar.pipeline.reader.readUsers(['1']);
      expect(read.get('1')!.password.map((r) => String(r.kind))).to.deep.equal(['current']);

      await db.exec('UPDATE accounts SET tenant = ? WHERE id = ?', ['other', 2]); // moves out: deleted in cidaas
      await db.exec('UPDATE accounts SET tenant = ? WHERE id = ?', ['shop', 4]); // moves in: created
      await db.exec('UPDATE accounts SET active = 0 WHERE id = ?', [3]); // out by the second column
      await db.exec('UPDATE props SET val = ? WHERE id = ?', ['Site2-changed', 11]); // outside the filter: no effect
      await db.exec('UPDATE props SET val = ? WHERE id = ?', ['Site1-changed', 10]);
      await db.exec('UPDATE secrets SET kind = ? WHERE id = ?', ['old', 41]); // user 4's only current password leaves the filter
      await waitFor(() => emu.getUser('f-2') === undefined && emu.getUser('f-3') === undefined && emu.getUser('f-4') !== undefined
        && emu.getUser('f-1')?.given_name === 'Site1-changed', { timeoutMs: 30_000, message: () => `no convergence: ${sidecar!.logger.text().slice(-1500)}` });
      expect(emu.getUser('f-4')?.given_name).to.equal('Site1-4');
      expect(await login(emu, 'f-4', 'Current-1')).to.equal(false);
    });
  });
}
