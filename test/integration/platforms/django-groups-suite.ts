import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { DEFAULT_SCOPES, SETUP_SCOPES, startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createScratchDb, type ScratchDb } from '../legacy/key-type-db.js';
import { killAllSidecars, startSidecar } from '../../support/sidecar-process.js';
import { waitFor } from '../../support/wait-for.js';
import { described, jsonOf, runCli } from '../cli/cli-run.js';
import { CLIENT_ID, CLIENT_SECRET, writePlatformConfig, type PlatformConfig } from './platform-fixture.js';
import { DJANGO_DDL } from './platform-schemas.js';

/**
 * Django on MariaDB/MySQL (its MySQL backend's DDL for django.contrib.auth 0001..0012 and
 * django-otp's otp_totp 0001..0003): the same tables and NOT NULLs as on PostgreSQL.
 */
const DJANGO_MYSQL_DDL: readonly string[] = [
  `CREATE TABLE auth_user (
    id integer AUTO_INCREMENT NOT NULL PRIMARY KEY, password varchar(128) NOT NULL, last_login datetime(6) NULL, is_superuser bool NOT NULL,
    username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL, is_staff bool NOT NULL, is_active bool NOT NULL, date_joined datetime(6) NOT NULL)`,
  `CREATE TABLE otp_totp_totpdevice (
    id integer AUTO_INCREMENT NOT NULL PRIMARY KEY, name varchar(64) NOT NULL, confirmed bool NOT NULL, \`key\` varchar(80) NOT NULL,
    step smallint UNSIGNED NOT NULL, t0 bigint NOT NULL, digits smallint UNSIGNED NOT NULL, tolerance smallint UNSIGNED NOT NULL,
    drift smallint NOT NULL, last_t bigint NOT NULL, user_id integer NOT NULL, throttling_failure_count integer UNSIGNED NOT NULL,
    throttling_failure_timestamp datetime(6) NULL, created_at datetime(6) NULL, last_used_at datetime(6) NULL,
    CONSTRAINT otp_totp_totpdevice_user_id_fk FOREIGN KEY (user_id) REFERENCES auth_user (id))`,
  'CREATE TABLE auth_group (id integer AUTO_INCREMENT NOT NULL PRIMARY KEY, name varchar(150) NOT NULL UNIQUE)',
  `CREATE TABLE auth_user_groups (
    id bigint AUTO_INCREMENT NOT NULL PRIMARY KEY, user_id integer NOT NULL, group_id integer NOT NULL,
    CONSTRAINT auth_user_groups_user_id_group_id_uniq UNIQUE (user_id, group_id),
    CONSTRAINT auth_user_groups_user_id_fk FOREIGN KEY (user_id) REFERENCES auth_user (id),
    CONSTRAINT auth_user_groups_group_id_fk FOREIGN KEY (group_id) REFERENCES auth_group (id))`,
];

/** django-allauth's linked accounts (socialaccount migrations 0001..0006), on each database. */
const ALLAUTH_DDL: Record<'postgres' | 'mysql', readonly string[]> = {
  postgres: [
    `CREATE TABLE socialaccount_socialaccount (
      id serial PRIMARY KEY, provider varchar(200) NOT NULL, uid varchar(191) NOT NULL, last_login timestamptz NOT NULL,
      date_joined timestamptz NOT NULL, extra_data jsonb NOT NULL, user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT socialaccount_socialaccount_provider_uid_fc810c6e_uniq UNIQUE (provider, uid))`,
    // `cidaas-sync check` asks for this: an unlinked account's row image must name its user.
    'ALTER TABLE socialaccount_socialaccount REPLICA IDENTITY FULL',
  ],
  mysql: [
    `CREATE TABLE socialaccount_socialaccount (
      id integer AUTO_INCREMENT NOT NULL PRIMARY KEY, provider varchar(200) NOT NULL, uid varchar(191) NOT NULL, last_login datetime(6) NOT NULL,
      date_joined datetime(6) NOT NULL, extra_data json NOT NULL, user_id integer NOT NULL,
      CONSTRAINT socialaccount_socialaccount_provider_uid_fc810c6e_uniq UNIQUE (provider, uid),
      CONSTRAINT socialaccount_socialaccount_user_id_fk FOREIGN KEY (user_id) REFERENCES auth_user (id))`,
  ],
};

/** allauth's users.identities: provider + uid (Google's `sub`) per linked account. */
const IDENTITIES = { table: 'socialaccount_socialaccount', userKey: 'user_id', provider: 'provider', providerUserId: 'uid' };

interface CheckItem { name: string; ok: boolean; severity: string; detail: string; fix?: string }
interface ReportShape { equal: boolean; differing: { key: string; groups: string[] }[] }

/** The tenant section: a group type, the groups and the social providers the integrator has declared so far. */
function tenant(groupIds: readonly string[], google = false): Record<string, unknown> {
  return {
    groupTypes: [{ groupType: 'django', roleMode: 'no_roles' }],
    groups: groupIds.map((groupId) => ({ groupId, name: groupId, groupType: 'django' })),
    socialProviders: google ? [{ provider: 'google', clientId: 'legacy-site.apps.googleusercontent.com', clientSecret: 'legacy-google-secret-0123' }] : [],
  };
}

/**
 * Django's group memberships (auth_user_groups + auth_group.name, the `django` preset) and
 * allauth's linked accounts (#16): `check` stops a sync against a tenant missing a group or a
 * login provider and names the `tenant` entry and the `setup apply` that fix each; after the
 * apply the users land with their groups and identities, a membership or link removed or added in
 * legacy follows in cidaas, and verify is equal, then names an injected difference in each.
 */
export function djangoGroupsSuite(kind: 'postgres' | 'mysql', groupsMode: 'replace' | 'add' | 'ignore-empty' = 'replace'): void {
  const tenantKind = groupsMode === 'add' ? ', against a tenant whose upsert only adds memberships'
    : groupsMode === 'ignore-empty' ? ', against a tenant that ignores an empty groups list' : '';
  // The settings that fit the tenant (what canary tells).
  const compat = groupsMode === 'ignore-empty' ? { groups: 'replace', emptyGroups: 'ignore' } : { groups: groupsMode };
  describe(`Django group memberships and allauth social logins on ${kind === 'postgres' ? 'PostgreSQL' : 'MariaDB'}${tenantKind}: checked before the run, synced, verified (#16)`, function () {
    this.timeout(240_000);
    let db: ScratchDb;
    let emu: RunningEmulator;
    let config: PlatformConfig;
    const sub = (key: string): string => `legacy-${key}`;
    const groupsOf = (key: string): string[] | undefined => emu.getUser(sub(key))?.groups?.map((g) => g.groupId);

    before(async () => {
      db = await createScratchDb(kind, 'djgroups');
      for (const s of [...(kind === 'postgres' ? DJANGO_DDL : DJANGO_MYSQL_DDL), ...ALLAUTH_DDL[kind]]) await db.exec(s);
      await db.publish(['auth_user', 'otp_totp_totpdevice', 'auth_user_groups', 'socialaccount_socialaccount']);
      emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: [...DEFAULT_SCOPES, ...SETUP_SCOPES], tenant: { groupUpdate: groupsMode } });
      config = await writePlatformConfig({
        kind, url: db.url, publication: kind === 'postgres' ? db.publication : undefined, emulatorUrl: emu.url,
        body: { preset: 'django', users: { identities: IDENTITIES }, tenant: tenant(['editors']) },
      });
      const written = parse(await readFile(config.path, 'utf8')) as { cidaas: Record<string, unknown> };
      await writeFile(config.path, stringify({ ...written, cidaas: { ...written.cidaas, compat } }));
    });

    after(async () => {
      await killAllSidecars();
      await emu?.close();
      await db?.drop();
      await config?.remove();
    });

    async function addUser(name: string): Promise<string> {
      await db.exec(`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
        VALUES ('!unusable-password-marker-0123456789abcdefghij', false, ?, ?, '', ?, false, true, CURRENT_TIMESTAMP)`, [name, name, `${name}@example.com`]);
      return String((await db.exec('SELECT id FROM auth_user WHERE username = ?', [name]))[0]!['id']);
    }
    async function joinGroup(key: string, group: string): Promise<void> {
      await db.exec('INSERT INTO auth_user_groups (user_id, group_id) SELECT ?, id FROM auth_group WHERE name = ?', [Number(key), group]);
    }

    async function link(key: string, provider: string, uid: string): Promise<void> {
      await db.exec(`INSERT INTO socialaccount_socialaccount (provider, uid, last_login, date_joined, extra_data, user_id)
        VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{}', ?)`, [provider, uid, Number(key)]);
    }

    it('check names the missing group and provider and their fixes; after setup apply the users land with their groups and identities, removals follow, verify compares them', async () => {
      await db.exec("INSERT INTO auth_group (name) VALUES ('editors'), ('staff')");
      const [ann, ben, cat] = [await addUser('ann'), await addUser('ben'), await addUser('cat')];
      await joinGroup(ann, 'editors');
      await joinGroup(ann, 'staff');
      await joinGroup(ben, 'editors');
      await link(ann, 'google', '109876543210987654321');

      // Neither group is in the tenant: check fails on both, and says what fixes each.
      const check = await runCli(['check', '--config', config.path, '--json'], { timeoutMs: 90_000 });
      expect(check.code, described(check)).to.equal(3);
      const items = jsonOf<{ sections: { items: CheckItem[] }[] }>(check).sections.flatMap((s) => s.items);
      const staff = items.find((i) => i.name === 'group staff');
      const editors = items.find((i) => i.name === 'group editors');
      expect(staff, JSON.stringify(items)).to.include({ ok: false });
      expect(staff!.detail).to.contain('missing in the tenant');
      expect(staff!.fix).to.contain('declare it under tenant.groups').and.contain('groupId: staff').and.contain('cidaas-sync setup apply');
      expect(editors!.fix).to.contain('tenant.groups declares it').and.contain('cidaas-sync setup apply');
      const google = items.find((i) => i.name === 'login provider google');
      expect(google, JSON.stringify(items)).to.include({ ok: false });
      expect(google!.fix).to.contain('tenant.socialProviders').and.contain('provider: google').and.contain('cidaas-sync setup apply');
      const run = await runCli(['run', '--config', config.path], { timeoutMs: 90_000 });
      expect(run.code, described(run)).to.equal(1);
      expect(run.stderr).to.contain('SETUP_PRECONDITION').and.contain('group staff');
      expect(emu.userCount).to.equal(0);

      // The integrator adds the entry check named and applies the setup: check passes.
      const written = parse(await readFile(config.path, 'utf8')) as Record<string, unknown>;
      await writeFile(config.path, stringify({ ...written, tenant: tenant(['editors', 'staff'], true) }));
      const apply = await runCli(['setup', 'apply', '--config', config.path], { timeoutMs: 90_000 });
      expect(apply.code, described(apply)).to.equal(0);
      const again = jsonOf<{ sections: { items: CheckItem[] }[] }>(await runCli(['check', '--config', config.path, '--json'], { timeoutMs: 90_000 }));
      const groupItems = again.sections.flatMap((s) => s.items).filter((i) => i.name.startsWith('group '));
      expect(groupItems.map((i) => [i.name, i.ok])).to.deep.equal([['group editors', true], ['group staff', true]]);
      expect(again.sections.flatMap((s) => s.items).find((i) => i.name === 'login provider google')).to.include({ ok: true });

      const sidecar = startSidecar({ args: ['run', '--config', config.path] });
      await waitFor(() => [ann, ben, cat].every((k) => emu.getUser(sub(k)) !== undefined), { timeoutMs: 90_000, message: () => `not every user reached cidaas: ${sidecar.stderr.slice(-2000)}` });
      expect(groupsOf(ann)).to.deep.equal(['editors', 'staff']);
      expect(groupsOf(ben)).to.deep.equal(['editors']);
      expect(groupsOf(cat)).to.deep.equal([]);
      expect(emu.getUser(sub(ann))!.identities).to.deep.equal([{ provider: 'google', providerUserId: '109876543210987654321' }]);
      expect(emu.getUser(sub(ben))!.identities).to.deep.equal([]);

      // One membership row deleted, one inserted: each re-pushes its user alone.
      await db.exec("DELETE FROM auth_user_groups WHERE user_id = ? AND group_id = (SELECT id FROM auth_group WHERE name = 'staff')", [Number(ann)]);
      await joinGroup(cat, 'staff');
      await waitFor(() => groupsOf(ann)?.join() === 'editors' && groupsOf(cat)?.join() === 'staff',
        { timeoutMs: 60_000, message: () => `memberships did not follow: ann ${String(groupsOf(ann))}, cat ${String(groupsOf(cat))}` });
      // ben's last membership goes: the empty list removes it.
      await db.exec('DELETE FROM auth_user_groups WHERE user_id = ?', [Number(ben)]);
      await waitFor(() => groupsOf(ben)?.length === 0, { timeoutMs: 60_000, message: 'ben\'s removed membership stayed in cidaas' });
      // ben links Google, ann unlinks it.
      await link(ben, 'google', '100000000000000000042');
      await db.exec('DELETE FROM socialaccount_socialaccount WHERE user_id = ?', [Number(ann)]);
      await waitFor(() => emu.getUser(sub(ann))?.identities?.length === 0 && emu.getUser(sub(ben))?.identities?.length === 1,
        { timeoutMs: 60_000, message: 'the linked accounts did not follow' });
      expect((await sidecar.terminate()).code).to.equal(0);
      // Under `add` the removals were DELETEs of single memberships; under `replace` the upsert did
      // it, and where the tenant ignores an empty list, ben's last membership went by DELETE.
      const removals = emu.setup.writes.filter((w) => w.startsWith('DELETE /groups-srv/usergroups/'));
      const lastOfBen = `DELETE /groups-srv/usergroups/editors/users/${sub(ben)}`;
      expect(removals).to.have.members({ add: [`DELETE /groups-srv/usergroups/staff/users/${sub(ann)}`, lastOfBen], 'ignore-empty': [lastOfBen], replace: [] }[groupsMode]);

      const clean = join(config.dir, 'clean.json');
      const equal = await runCli(['verify', '--config', config.path, '--report', clean, '--no-progress'], { timeoutMs: 90_000 });
      expect(equal.code, described(equal)).to.equal(0);

      // A membership added in cidaas alone: verify names the user and `groups`.
      const original = emu.getUser(sub(ann))!;
      emu.seed([{ ...original, groups: [...original.groups!, { groupId: 'staff', roles: [] }] }]);
      const report = join(config.dir, 'differs.json');
      const differs = await runCli(['verify', '--config', config.path, '--report', report, '--no-progress'], { timeoutMs: 90_000 });
      expect(differs.code, described(differs)).to.equal(4);
      const parsed = JSON.parse(await readFile(report, 'utf8')) as ReportShape;
      expect(parsed.differing).to.deep.equal([{ key: ann, sub: sub(ann), groups: ['groups'] }]);

      // An identity linked in cidaas alone: verify names `identities`.
      emu.seed([{ ...original, identities: [{ provider: 'google', providerUserId: '555' }] }]);
      const report2 = join(config.dir, 'differs-identities.json');
      const differs2 = await runCli(['verify', '--config', config.path, '--report', report2, '--no-progress'], { timeoutMs: 90_000 });
      expect(differs2.code, described(differs2)).to.equal(4);
      expect((JSON.parse(await readFile(report2, 'utf8')) as ReportShape).differing).to.deep.equal([{ key: ann, sub: sub(ann), groups: ['identities'] }]);
    });
  });
}

