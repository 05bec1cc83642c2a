import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createMariaDbDatabase, uniqueName, type MariaDbTestDatabase } from '../../support/servers.js';
import { createShopSchema } from '../../support/shop-schema.js';
import { writeShopConfig } from '../../support/test-config.js';
import { KEYCLOAK_DDL, KEYCLOAK_MYSQL_DDL, KEYCLOAK_MYSQL_TENANT_DDL, KEYCLOAK_TENANT_DDL } from '../platforms/platform-schemas.js';
import { CLIENT_ID, CLIENT_SECRET, cliFixture, type CliFixture } from './cli-fixture.js';
import { described, jsonOf, runCli } from './cli-run.js';

interface CheckItem { name: string; ok: boolean; detail: string; fix?: string }
interface CheckJson { sections: { title: string; items: CheckItem[] }[] }

const REALM = '0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
const FROM = { apps: { kind: 'keycloak', realmId: REALM }, providers: { kind: 'keycloak', realmId: REALM } };

/** The source section's tenant.from items, by name. */
async function fromItems(configPath: string): Promise<Map<string, CheckItem>> {
  const r = await runCli(['check', '--json', '--config', configPath], { timeoutMs: 90_000 });
  const source = jsonOf<CheckJson>(r).sections.find((s) => s.title.startsWith('source'));
  expect(source, described(r)).to.not.equal(undefined);
  return new Map(source!.items.filter((i) => i.name.includes('(tenant.from.')).map((i) => [i.name, i]));
}

describe('check: SELECT on the tables tenant.from reads', function () {
  this.timeout(180_000);

  describe('on PostgreSQL', () => {
    let f: CliFixture;
    let role: string;
    before(async () => {
      f = await cliFixture();
      // Keycloak in its own schema, found through the role's search_path behind public (as
      // tenant.from without `schema` reads it): the items and GRANTs name the schema it is in.
      await f.shop.query('CREATE SCHEMA kc');
      for (const ddl of [KEYCLOAK_DDL[0]!, ...KEYCLOAK_TENANT_DDL]) await f.shop.query(`SET search_path TO kc; ${ddl}; SET search_path TO DEFAULT`);
      role = uniqueName('nofrom');
      await f.shop.query(`CREATE ROLE ${role} LOGIN REPLICATION`);
      await f.shop.query(`ALTER ROLE ${role} SET search_path = public, kc`);
      await f.shop.query(`GRANT USAGE ON SCHEMA kc TO ${role}`);
      await f.shop.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public, kc TO ${role}`);
      await f.shop.query(`REVOKE SELECT ON kc.client, kc.identity_provider_config FROM ${role}`);
    });
    after(async () => {
      await f?.shop.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await f?.shop.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await f?.close();
    });

    it('fails each table the role may not read with the exact GRANT, which makes it pass', async () => {
      const url = new URL(f.db.url);
      url.username = role;
      const config = await f.writeConfig({ sourceUrl: url.toString(), extra: { tenant: { from: FROM } } });
      const items = await fromItems(config.path);
      expect([...items.keys()]).to.deep.equal([
        'SELECT on kc.realm (tenant.from.apps)', 'SELECT on kc.client (tenant.from.apps)', 'SELECT on kc.redirect_uris (tenant.from.apps)',
        'SELECT on kc.client_attributes (tenant.from.apps)', 'SELECT on kc.identity_provider (tenant.from.providers)',
        'SELECT on kc.identity_provider_config (tenant.from.providers)',
      ]);
      expect([...items.values()].filter((i) => !i.ok).map((i) => i.name)).to.deep.equal([
        'SELECT on kc.client (tenant.from.apps)', 'SELECT on kc.identity_provider_config (tenant.from.providers)',
      ]);
      const client = items.get('SELECT on kc.client (tenant.from.apps)')!;
      expect(client.detail).to.contain(`"${role}" may not read it: setup reads it for tenant.from.apps`);
      expect(client.fix).to.equal(`as the table owner: GRANT SELECT ON "kc"."client" TO "${role}";`);
      const config2 = items.get('SELECT on kc.identity_provider_config (tenant.from.providers)')!;
      expect(config2.fix).to.equal(`as the table owner: GRANT SELECT ON "kc"."identity_provider_config" TO "${role}";`);

      // The DBA runs the two statements check gave: every tenant.from table is readable.
      for (const i of [client, config2]) await f.shop.query(i.fix!.replace('as the table owner: ', ''));
      expect([...(await fromItems(config.path)).values()].filter((i) => !i.ok)).to.deep.equal([]);
    });
  });

  describe('on MariaDB', () => {
    let db: MariaDbTestDatabase;
    let emulator: RunningEmulator;
    let root: mysql.Connection;
    let user: string;
    let name: string;
    before(async () => {
      db = await createMariaDbDatabase('chkfrom');
      await createShopSchema({ url: db.url, kind: 'mysql' });
      root = await mysql.createConnection({ uri: db.url });
      for (const ddl of [KEYCLOAK_MYSQL_DDL[0]!, ...KEYCLOAK_MYSQL_TENANT_DDL]) await root.query(ddl);
      name = uniqueName('nofrom');
      user = `'${name}'@'127.0.0.1'`;
      await root.query(`CREATE USER ${user} IDENTIFIED VIA mysql_native_password USING PASSWORD('pw')`);
      for (const t of ['users', 'credentials', 'totp_devices', 'REALM', 'REDIRECT_URIS', 'CLIENT_ATTRIBUTES', 'IDENTITY_PROVIDER', 'IDENTITY_PROVIDER_CONFIG']) {
        await root.query(`GRANT SELECT ON ${db.database}.${t} TO ${user}`);
      }
      emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    });
    after(async () => {
      await root?.query(`DROP USER IF EXISTS ${user}`).catch(() => undefined);
      await root?.end();
      await emulator?.close();
      await db?.drop();
    });

    it('fails Keycloak\'s CLIENT, which the user may not read, with the exact GRANT, which makes it pass', async () => {
      const url = new URL(db.url);
      url.username = name;
      url.password = 'pw';
      const config = await writeShopConfig({
        kind: 'mysql', sourceUrl: url.toString(), emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, extra: { tenant: { from: FROM } },
      });
      try {
        const items = await fromItems(config.path);
        const t = (n: string): string => `SELECT on ${db.database}.${n}`;
        expect([...items.keys()]).to.deep.equal([
          `${t('REALM')} (tenant.from.apps)`, `${t('CLIENT')} (tenant.from.apps)`, `${t('REDIRECT_URIS')} (tenant.from.apps)`,
          `${t('CLIENT_ATTRIBUTES')} (tenant.from.apps)`, `${t('IDENTITY_PROVIDER')} (tenant.from.providers)`, `${t('IDENTITY_PROVIDER_CONFIG')} (tenant.from.providers)`,
        ]);
        expect([...items.values()].filter((i) => !i.ok).map((i) => i.name)).to.deep.equal([`${t('CLIENT')} (tenant.from.apps)`]);
        const client = items.get(`${t('CLIENT')} (tenant.from.apps)`)!;
        expect(client.detail).to.contain(`${user} may not read it: setup reads it for tenant.from.apps`);
        expect(client.fix).to.equal(`GRANT SELECT ON \`${db.database}\`.\`CLIENT\` TO ${user};`);

        await root.query(client.fix!);
        expect([...(await fromItems(config.path)).values()].filter((i) => !i.ok)).to.deep.equal([]);
      } finally {
        await config.remove();
      }
    });
  });
});
