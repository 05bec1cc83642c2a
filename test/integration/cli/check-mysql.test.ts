import { expect } from 'chai';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createMariaDbDatabase, type MariaDbTestDatabase } from '../../support/servers.js';
import { createShopSchema } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { CLIENT_ID, CLIENT_SECRET } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

interface CheckJson {
  ok: boolean;
  sections: { title: string; items: { name: string; ok: boolean; fix?: string }[] }[];
}

describe('cidaas-sync check on MariaDB', function () {
  this.timeout(60_000);
  let db: MariaDbTestDatabase;
  let emulator: RunningEmulator;
  let config: ShopConfigFile;

  before(async () => {
    db = await createMariaDbDatabase('cli');
    await createShopSchema({ url: db.url, kind: 'mysql' });
    emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    config = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { users: { table: 'no_such_users' } },
    });
  });
  after(async () => {
    await config?.remove();
    await emulator?.close();
    await db?.drop();
  });

  it('runs the MySQL/MariaDB source checks and fails on a table that does not exist', async () => {
    const r = await runCli(['check', '--json', '--config', config.path]);
    expect(r.code, described(r)).to.equal(3);
    const out = jsonOf<CheckJson>(r);
    const source = out.sections.find((s) => s.title === 'source (mysql)')!;
    expect(source.items.find((i) => i.name === 'binlog_format')).to.include({ ok: true });
    const missing = source.items.find((i) => i.name === `SELECT on ${db.database}.no_such_users`);
    expect(missing, JSON.stringify(source.items)).to.include({ ok: false });
  });

  it('fails a configured column the table does not have, naming its config key and the column meant (#17)', async () => {
    const typo = await writeShopConfig({
      kind: 'mysql', sourceUrl: db.url, emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: { users: { fields: { email: 'emial' } } },
    });
    try {
      const r = await runCli(['check', '--json', '--config', typo.path]);
      expect(r.code, described(r)).to.equal(3);
      const source = jsonOf<CheckJson>(r).sections.find((s) => s.title === 'source (mysql)')!;
      const column = source.items.find((i) => i.name === `column ${db.database}.users.emial`);
      expect(column, JSON.stringify(source.items)).to.include({ ok: false });
      expect(column!.fix).to.contain('users.fields.email').and.to.contain('did you mean `email`?');
      expect(source.items.filter((i) => i.name.startsWith('column ') && !i.ok)).to.have.length(1);
    } finally {
      await typo.remove();
    }
  });
});
