import { expect } from 'chai';
import { stringify } from 'yaml';
import { PostgresDialect } from '../../../adapters/postgres/postgres-dialect.js';
import { parseConfig } from '../../../config/load-config.js';
import type { Config } from '../../../config/config-schema.js';
import { readerTables, watchedTables } from '../../../src/app/pipeline-tables.js';
import { Secret } from '../../../src/secret.js';
import { SqlLegacyReader } from '../../../src/sql-legacy-reader.js';
import { UserMapper } from '../../../src/user-mapper.js';
import { KEYCLOAK_DDL } from '../platforms/platform-schemas.js';
import { createScratchDb, type ScratchDb } from './key-type-db.js';

const REALM = '5f0c6a62-1d2f-4c55-9f41-0b7e2e0a1c11';
const OTHER_REALM = '9b1d3c44-7e2a-4f11-8a5c-3d6e8f9a0b22';
const ANN = '1d7c2a9e-0b6f-4e3a-9c1d-2f4a6b8c0d11';
const BEN = '2e8d3b0f-1c7a-4f4b-8d2e-3a5b7c9d1e22';

/**
 * The keycloak preset's group memberships (user_group_membership by keycloak_group.name) and
 * social logins (federated_identity) on Keycloak's own tables (#16): read through the push's own
 * reader and mapper, and the distinct values `check` asks the tenant about.
 */
describe('Keycloak group memberships and federated identities with the keycloak preset (#16)', function () {
  this.timeout(60_000);
  let db: ScratchDb;
  let config: Config;
  let reader: SqlLegacyReader;

  before(async () => {
    db = await createScratchDb('postgres', 'kclinks');
    for (const s of KEYCLOAK_DDL) await db.exec(s);
    await db.exec('INSERT INTO realm (id, name) VALUES (?, ?), (?, ?)', [REALM, 'shop', OTHER_REALM, 'master']);
    for (const [id, name] of [[ANN, 'ann'], [BEN, 'ben']]) {
      await db.exec(`INSERT INTO user_entity (id, email, email_constraint, email_verified, enabled, realm_id, username, created_timestamp, not_before)
        VALUES (?, ?, ?, true, true, ?, ?, 1700000000000, 0)`, [id, `${name}@example.com`, `${name}@example.com`, REALM, name]);
    }
    // Top-level groups have parent_group ' ' (Keycloak 23+; NULL before); a group of another realm with the same name.
    await db.exec(`INSERT INTO keycloak_group (id, name, parent_group, realm_id) VALUES
      ('g-staff', 'staff', ' ', ?), ('g-editors', 'editors', ' ', ?), ('g-staff-master', 'staff', ' ', ?)`, [REALM, REALM, OTHER_REALM]);
    await db.exec(`INSERT INTO user_group_membership (group_id, user_id) VALUES ('g-staff', ?), ('g-editors', ?), ('g-editors', ?)`, [ANN, ANN, BEN]);
    await db.exec(`INSERT INTO federated_identity (identity_provider, realm_id, federated_user_id, federated_username, user_id)
      VALUES ('google', ?, '109876543210987654321', 'ann@gmail.com', ?)`, [REALM, ANN]);
    config = await parseConfig(stringify({
      source: { kind: 'postgres', url: db.url },
      preset: { name: 'keycloak', realmId: REALM },
      cidaas: { baseUrl: 'https://acme.cidaas.eu', clientId: 'c', clientSecret: 'client-secret-1' },
    }), { baseDir: '/srv/cidaas-sync', env: {} });
    reader = new SqlLegacyReader(new PostgresDialect(new Secret(db.url)), readerTables(config));
  });

  after(async () => {
    await reader?.close();
    await db?.drop();
  });

  it('maps each user\'s memberships by group name and their linked Google account', async () => {
    const rows = await reader.readUsers([ANN, BEN]);
    const mapper = new UserMapper(config);
    const ann = await mapper.map(rows.get(ANN)!);
    const ben = await mapper.map(rows.get(BEN)!);
    if (ann.kind !== 'upsert' || ben.kind !== 'upsert') expect.fail(`${ann.kind} ${ben.kind}`);
    expect(ann.user.groups).to.deep.equal([{ groupId: 'editors' }, { groupId: 'staff' }]);
    expect(ann.user.identities).to.deep.equal([{ provider: 'google', providerUserId: '109876543210987654321' }]);
    expect(ben.user.groups).to.deep.equal([{ groupId: 'editors' }]);
    expect(ben.user.identities).to.deep.equal([]);
  });

  it('watches both tables (a membership or link added or removed re-pushes its user) and lists what check asks the tenant about', async () => {
    const watched = watchedTables(config).filter((t) => t.role === 'groups' || t.role === 'identities').map((t) => [t.role, t.table]);
    expect(watched).to.deep.equal([['groups', 'public.user_group_membership'], ['identities', 'public.federated_identity']]);
    expect(await reader.distinctValues('groups', 'group_id', 200)).to.deep.equal(['editors', 'staff']);
    expect(await reader.distinctValues('identities', 'identity_provider', 50)).to.deep.equal(['google']);
    expect(await reader.distinctValues('groups', 'group_id', 1)).to.equal(null);
  });
});
