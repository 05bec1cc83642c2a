import { expect } from 'chai';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { uniqueName } from '../../support/servers.js';
import { CLIENT_ID, CLIENT_SECRET, cliFixture, type CliFixture } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

interface CheckJson {
  ok: boolean;
  summary: { passed: number; failed: number; warnings: number };
  sections: { title: string; items: { name: string; status: 'pass' | 'fail' | 'warn'; ok: boolean; detail: string; fix?: string }[] }[];
  repairs?: { item: string; action: string; done: boolean; detail?: string }[];
}

function item(r: CheckJson, name: string): CheckJson['sections'][number]['items'][number] {
  const found = r.sections.flatMap((s) => s.items).find((i) => i.name === name);
  if (!found) throw new Error(`no item "${name}" in ${JSON.stringify(r.sections.flatMap((s) => s.items.map((i) => i.name)))}`);
  return found;
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

describe('cidaas-sync check', function () {
  this.timeout(60_000);

  describe('on a database without a publication', () => {
    let f: CliFixture;
    before(async () => {
      f = await cliFixture({ publication: false });
      await f.shop.query('ALTER TABLE credentials REPLICA IDENTITY DEFAULT');
    });
    after(async () => { await f?.close(); });

    it('fails with exit 3 and gives the SQL for the publication and the replica identity', async () => {
      const r = await runCli(['check', '--json', '--config', f.config.path]);
      expect(r.code, described(r)).to.equal(3);
      const out = jsonOf<CheckJson>(r);
      expect(out.ok).to.equal(false);
      expect(item(out, 'publication cidaas_sync')).to.include({ ok: false, status: 'fail' });
      expect(item(out, 'publication cidaas_sync').fix).to.include('CREATE PUBLICATION "cidaas_sync" FOR TABLE "public"."users", "public"."credentials", "public"."totp_devices";');
      expect(item(out, 'replica identity of public.credentials').fix).to.include('ALTER TABLE "public"."credentials" REPLICA IDENTITY FULL;');
      expect(item(out, 'replica identity of public.totp_devices').ok).to.equal(true);
      expect(item(out, 'wal_level')).to.include({ ok: true, detail: 'logical' });
      expect(item(out, 'scope cidaas:bulk_user_create').ok).to.equal(true);
      expect(item(out, 'mapping of the first 10 users').ok).to.equal(true);
    });

    it('--fix prints every statement and changes nothing without --yes when not on a terminal (#13)', async () => {
      const r = await runCli(['check', '--fix', '--config', f.config.path]);
      expect(r.code, described(r)).to.equal(3);
      expect(r.stdout).to.include('check --fix will run, as the role in source.url, on the source database:');
      expect(r.stdout).to.include('  CREATE PUBLICATION "cidaas_sync" FOR TABLE');
      expect(r.stdout).to.include('  ALTER TABLE "public"."credentials" REPLICA IDENTITY FULL;');
      expect(r.stdout).to.include('nothing was changed: run `cidaas-sync check --fix --yes`');
      const pub = await sql(f.db.url, "SELECT 1 FROM pg_publication WHERE pubname = 'cidaas_sync'");
      expect(pub.rowCount).to.equal(0);
    });

    it('--fix --yes creates the publication and sets REPLICA IDENTITY FULL, leaves the slot to `run`, then passes (#13)', async () => {
      const r = await runCli(['check', '--fix', '--yes', '--config', f.config.path]);
      expect(r.code, described(r)).to.equal(0);
      expect(r.stdout).to.include('done: CREATE PUBLICATION "cidaas_sync" FOR TABLE');
      expect(r.stdout).to.include('done: ALTER TABLE "public"."credentials" REPLICA IDENTITY FULL;');
      expect(r.stdout).not.to.include('pg_create_logical_replication_slot');
      expect(r.stdout).to.match(/^pass publication cidaas_sync: covers exactly public\.users, public\.credentials, public\.totp_devices$/m);
      expect(r.stdout).to.match(/^pass replication slot slot_\w+: does not exist yet: `run` creates it/m);
      const slots = await sql(f.db.url, 'SELECT 1 FROM pg_replication_slots WHERE database = current_database()');
      expect(slots.rowCount).to.equal(0);
      expect(r.stdout).to.include('0 failed');
      const pub = await sql(f.db.url, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'cidaas_sync' ORDER BY 1");
      expect(pub.rows.map((x: { tablename: string }) => x.tablename)).to.deep.equal(['credentials', 'totp_devices', 'users']);
      const ident = await sql(f.db.url, "SELECT relreplident FROM pg_class WHERE oid = 'public.credentials'::regclass");
      expect(ident.rows[0].relreplident).to.equal('f');
    });
  });

  describe('on a database missing several prerequisites', () => {
    let f: CliFixture;
    let limited: RunningEmulator;
    let role: string;
    before(async () => {
      f = await cliFixture();
      role = uniqueName('norepl');
      await f.shop.query('ALTER TABLE credentials REPLICA IDENTITY DEFAULT');
      await f.shop.query('ALTER PUBLICATION cidaas_sync DROP TABLE totp_devices');
      await f.shop.query(`CREATE ROLE ${role} LOGIN`);
      await f.shop.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      limited = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ['cidaas:users_delete'] });
    });
    after(async () => {
      await f?.shop.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await f?.shop.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await limited?.close();
      await f?.close();
    });

    it('names each failure with its fix and, with --fix, says what the role could not do', async () => {
      const url = new URL(f.db.url);
      url.username = role;
      const config = await f.writeConfig({
        sourceUrl: url.toString(), clientSecret: 'not-the-secret',
        extra: { users: { fields: { given_name: 'firstname' } }, mapping: './no-such-mapping.ts' },
      });
      const r = await runCli(['check', '--fix', '--yes', '--config', config.path]);
      expect(r.code, described(r)).to.equal(3);
      const lines = r.stdout;
      expect(lines).to.match(new RegExp(`^FAIL role ${role}: lacks REPLICATION`, 'm'));
      expect(lines).to.include(`fix: as a superuser: ALTER ROLE "${role}" REPLICATION;`);
      expect(lines).to.match(/^FAIL publication cidaas_sync: does not cover public\.totp_devices/m);
      expect(lines).to.include('ALTER PUBLICATION "cidaas_sync" ADD TABLE "public"."totp_devices";');
      expect(lines).to.match(/^FAIL replica identity of public\.credentials: DEFAULT: a delete carries only the primary key \(id\)/m);
      expect(lines).to.match(/^FAIL column public\.users\.firstname: does not exist \(named by users\.fields\.given_name\)$/m);
      expect(lines).to.include('fix: set users.fields.given_name to a column of public.users (did you mean `first_name`?)');
      expect(lines).to.match(/^FAIL access token: CIDAAS_AUTH_FAILED: cidaas refused the credentials of client "cli-test-client"/m);
      expect(lines).to.match(/^FAIL mapping module: mapping: \S+no-such-mapping\.ts does not exist or cannot be read$/m);
      expect(lines).to.include('could not: ALTER TABLE "public"."credentials" REPLICA IDENTITY FULL;');
      expect(lines).to.include(`left to you: as a superuser: ALTER ROLE "${role}" REPLICATION;`);
      expect(lines + r.stderr).not.to.include('not-the-secret');
    });

    it('fails on a client without cidaas:bulk_user_create and warns about cidaas:users_read', async () => {
      const config = await f.writeConfig({ emulatorUrl: limited.url });
      const r = await runCli(['check', '--json', '--config', config.path]);
      expect(r.code, described(r)).to.equal(3);
      const out = jsonOf<CheckJson>(r);
      expect(item(out, 'access token').ok).to.equal(true);
      expect(item(out, 'scope cidaas:bulk_user_create')).to.include({ status: 'fail' });
      expect(item(out, 'scope cidaas:bulk_user_create').fix).to.include('grant client "cli-test-client" the scope cidaas:bulk_user_create');
      expect(item(out, 'scope cidaas:users_delete')).to.include({ status: 'pass' });
      expect(item(out, 'scope cidaas:users_read')).to.include({ status: 'warn', ok: false });
      expect(item(out, 'role postgres')).to.include({ status: 'pass' });
      expect(out.summary.warnings).to.be.greaterThan(0);
    });
  });
});
