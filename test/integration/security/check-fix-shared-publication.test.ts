import { expect } from 'chai';
import { cliFixture, type CliFixture } from '../cli/cli-fixture.js';
import { described, runCli } from '../cli/cli-run.js';

describe('check --fix on a shared publication (#13)', function () {
  this.timeout(60_000);
  let f: CliFixture;
  before(async () => {
    f = await cliFixture();
    // Someone else's table is in the publication, and one of ours is missing.
    await f.shop.query('ALTER PUBLICATION cidaas_sync DROP TABLE totp_devices');
    await f.shop.query('ALTER PUBLICATION cidaas_sync ADD TABLE orders');
  });
  after(async () => { await f?.close(); });

  it('only adds the missing table and keeps the other tables in the publication', async () => {
    const r = await runCli(['check', '--fix', '--yes', '--config', f.config.path]);
    expect(r.stdout, described(r)).to.include('done: ALTER PUBLICATION "cidaas_sync" ADD TABLE "public"."totp_devices";');
    expect(r.stdout).not.to.match(/SET TABLE|DROP TABLE "public"\."orders";\n/);
    const rows = await f.shop.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'cidaas_sync' ORDER BY 1");
    expect(rows.map((x) => x['tablename'])).to.deep.equal(['credentials', 'orders', 'totp_devices', 'users']);
    expect(r.stdout).to.match(/^WARN publication cidaas_sync: also covers public\.orders/m);
  });
});
