import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { CanaryFinding, CanaryReport } from '../../../src/canary/canary-finding.js';
import { formatCanaryReport } from '../../../src/canary/canary-finding.js';
import type { CidaasCompat } from '../../../src/cidaas/cidaas-compat.js';
import { DEFAULT_SCOPES, startEmulator, type RunningEmulator, type TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import type { ShopConfigFile } from '../../support/test-config.js';
import { writeShopConfig } from '../../support/test-config.js';
import { runCli } from '../cli/cli-run.js';
import { advisedSettings, CLIENT_ID, CLIENT_SECRET, LOGIN_APP, canaryFor, canaryUsersIn, createCanaryWorld, describeFindings, type CanaryWorld } from './canary-fixture.js';

const GROUP_SCOPES = ['cidaas:groups_read', 'cidaas:groups_write'];
const PROVIDER_SCOPES = [...DEFAULT_SCOPES, ...GROUP_SCOPES, 'cidaas:providers_read'];

function finding(report: CanaryReport, key: 'groupShape' | 'groups' | 'emptyGroups' | 'identities' | 'group the tenant lacks'): CanaryFinding {
  const f = report.findings.find((x) => x.assumption.startsWith(`cidaas.compat.${key} (`) || x.assumption === key);
  expect(f, `a ${key} finding in\n${describeFindings(report.findings)}`).to.not.equal(undefined);
  return f!;
}

/**
 * A tenant that takes `groups` only as ids: a proxy in front of the emulator (which takes either
 * shape) that leaves the groups of a bulk user out when they come as objects, as a tenant that
 * ignores a field in a shape it does not know would. Answers pass through unchanged.
 */
async function idsOnlyTenant(emu: RunningEmulator): Promise<{ url: string; close: () => Promise<void> }> {
  const target = new URL(emu.url);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url === '/users-srv/user/bulk') {
        const users = JSON.parse(body.toString('utf8')) as Record<string, unknown>[];
        for (const u of users) if (Array.isArray(u['groups']) && u['groups'].some((g) => typeof g === 'object')) delete u['groups'];
        body = Buffer.from(JSON.stringify(users));
      }
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

describe('cidaas-sync canary: the groups settings (groupShape, groups replace|add, emptyGroups), unknown groups and login providers, identities replace|add (#16)', function () {
  this.timeout(120_000);
  let world: CanaryWorld;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(async () => {
    world = await createCanaryWorld('postgres', 4);
    await world.target.db.query('CREATE TABLE user_groups (user_id bigint NOT NULL, group_name text NOT NULL)', []);
    await world.target.db.query("INSERT INTO user_groups (user_id, group_name) VALUES (?, 'staff'), (?, 'editors')", [world.seeded.ids[0], world.seeded.ids[1]]);
    await world.target.db.query('CREATE TABLE user_identities (user_id bigint NOT NULL, provider text NOT NULL, uid text NOT NULL)', []);
    await world.target.db.query("INSERT INTO user_identities (user_id, provider, uid) VALUES (?, 'google', '1088')", [world.seeded.ids[0]]);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });
  after(async () => {
    await world?.drop();
  });

  /** A tenant with `groups` created (as `setup apply` does), and the shop config mapping users.groups to it. */
  async function setUp(
    tenant: Partial<TenantVariant>, compat: Partial<CidaasCompat>, groups: readonly string[] = ['editors', 'staff'], identities = false, scopes = [...DEFAULT_SCOPES, ...GROUP_SCOPES], idsOnly = false,
    providers: readonly string[] = [],
  ): Promise<{ emu: RunningEmulator; cfg: ShopConfigFile }> {
    const emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes, tenant: { ...tenant, passwordGrantClient: LOGIN_APP } });
    cleanup.push(() => emu.close());
    for (const groupId of groups) emu.setup.groups.set(groupId, { groupId, groupName: groupId, groupType: 'default', parentId: 'root' });
    for (const name of providers) emu.setup.social.set(name, { id: name, provider_name: name, name, enabled: true });
    const proxy = idsOnly ? await idsOnlyTenant(emu) : undefined;
    if (proxy) cleanup.push(() => proxy.close());
    const cfg = await writeShopConfig({
      kind: 'postgres', sourceUrl: world.target.url, publication: world.target.publication, emulatorUrl: proxy?.url ?? emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      extra: {
        users: {
          groups: { table: 'public.user_groups', userKey: 'user_id', group: 'group_name', map: { editors: 'editors', staff: 'staff' } },
          ...(identities ? { identities: { table: 'public.user_identities', userKey: 'user_id', provider: 'provider', providerUserId: 'uid' } } : {}),
        },
        cidaas: { compat }, canary: { loginClientId: LOGIN_APP.id, loginClientSecret: LOGIN_APP.secret },
      },
    });
    cleanup.push(() => cfg.remove());
    return { emu, cfg };
  }

  /** The canary's users are gone; a membership still held at the end was removed before its user (`removals`). */
  function expectCleanedUp(emu: RunningEmulator, report: CanaryReport, removals = true): void {
    expect(report.leftOver).to.deep.equal([]);
    expect(canaryUsersIn(emu)).to.deep.equal([]);
    if (removals) expect(emu.setup.writes.filter((w) => /^DELETE \/groups-srv\/usergroups\/\w+\/users\/legacy-canary-/.test(w)).length, 'membership removals').to.be.greaterThan(0);
  }

  for (const shape of ['objects', 'ids'] as const) {
    it(`a replacing tenant confirms groupShape ${shape}, groups replace and emptyGroups clear when they are configured, and says it fails a user in a missing group`, async () => {
      const { emu, cfg } = await setUp({ groupUpdate: 'replace' }, { groupShape: shape, groups: 'replace' });
      const report = await canaryFor(cfg.path);
      expect(finding(report, 'groupShape'), describeFindings(report.findings)).to.include({ verdict: 'confirmed' });
      expect(finding(report, 'groupShape').detail).to.contain(`as ${shape} it put the user in group "editors"`);
      expect(finding(report, 'groups')).to.include({ verdict: 'confirmed' });
      expect(finding(report, 'groups').detail).to.contain('in groups "editors" and "staff", pushed again with "staff" alone, is no longer in group "editors"').and.contain('replaces the memberships');
      expect(finding(report, 'emptyGroups')).to.include({ verdict: 'confirmed' });
      expect(finding(report, 'emptyGroups').detail).to.contain('is no longer in group "staff": an empty list removes the memberships');
      expect(finding(report, 'group the tenant lacks')).to.include({ verdict: 'confirmed' });
      expect(finding(report, 'group the tenant lacks').detail).to.contain('cidaas fails the user (group "canary-missing-');
      expect(advisedSettings(report)).to.deep.equal({});
      expectCleanedUp(emu, report);
    });
  }

  it('a tenant that only adds memberships refutes groups replace: prints `groups: add` and says a removed membership would stay (CLI, exit 3)', async () => {
    const { emu, cfg } = await setUp({ groupUpdate: 'add' }, {});
    const run = await runCli(['canary', '--config', cfg.path], { timeoutMs: 90_000 });
    expect(run.code, run.stdout + run.stderr).to.equal(3);
    expect(run.stdout).to.match(/refuted {6}cidaas\.compat\.groups \(replace\): the canary user in groups "editors" and "staff", pushed again with "staff" alone, is still in group "editors": the tenant only adds memberships; with replace, a membership removed in legacy would stay in cidaas/);
    expect(run.stdout).to.match(/confirmed {4}cidaas\.compat\.groupShape \(objects\): /);
    // An empty list is ignored too, but under add the DELETE path covers it: no second setting.
    expect(run.stdout).to.match(/confirmed {4}cidaas\.compat\.emptyGroups \(clear\): .*is still in group "staff": an empty list is ignored; with groups: add .* changes nothing/);
    expect(run.stdout).to.contain('write under cidaas.compat:\n  groups: add\n\n');
    expect(canaryUsersIn(emu)).to.deep.equal([]);
  });

  it('a tenant that replaces with a non-empty list but ignores an empty one reads as replace, and refutes emptyGroups clear with `emptyGroups: ignore`', async () => {
    const { emu, cfg } = await setUp({ groupUpdate: 'ignore-empty' }, {});
    const report = await canaryFor(cfg.path);
    expect(finding(report, 'groups'), describeFindings(report.findings)).to.include({ verdict: 'confirmed' });
    expect(finding(report, 'groups').detail).to.contain('is no longer in group "editors": the tenant replaces the memberships');
    const empty = finding(report, 'emptyGroups');
    expect(empty.verdict).to.equal('refuted');
    expect(empty.detail).to.contain('is still in group "staff": an empty list is ignored').and.contain('with clear, a user whose last group is removed in legacy would stay in it in cidaas');
    expect(advisedSettings(report)).to.deep.equal({ emptyGroups: 'ignore' });
    expect(formatCanaryReport(report)).to.contain('write under cidaas.compat:\n  emptyGroups: ignore\n');
    expectCleanedUp(emu, report);
  });

  it('a tenant that clears with an empty list refutes emptyGroups ignore', async () => {
    const { emu, cfg } = await setUp({ groupUpdate: 'replace' }, { emptyGroups: 'ignore' });
    const report = await canaryFor(cfg.path);
    expect(finding(report, 'emptyGroups'), describeFindings(report.findings)).to.include({ verdict: 'refuted' });
    expect(advisedSettings(report)).to.deep.equal({ emptyGroups: 'clear' });
    expectCleanedUp(emu, report);
  });

  it('with one mapped group in the tenant, an adding tenant leaves groups not testable (two are needed) and still tells emptyGroups; a dropping tenant drops a missing group silently', async () => {
    const { emu, cfg } = await setUp({ groupUpdate: 'add', unknownGroup: 'drop' }, {}, ['staff']);
    const report = await canaryFor(cfg.path);
    expect(finding(report, 'groups'), describeFindings(report.findings)).to.include({ verdict: 'not testable' });
    expect(finding(report, 'groups').detail).to.contain('only one group the mapping names exists in the tenant ("staff")');
    expect(finding(report, 'emptyGroups')).to.include({ verdict: 'refuted' });
    expect(finding(report, 'group the tenant lacks').detail).to.contain('dropped the membership SILENTLY (kept "staff")');
    expect(advisedSettings(report)).to.deep.equal({ emptyGroups: 'ignore' });
    expectCleanedUp(emu, report);
  });

  it('a tenant that takes groups only as ids refutes groupShape objects, names ids, and says every membership would be lost', async () => {
    const { emu, cfg } = await setUp({}, {}, ['staff'], false, undefined, true);
    const report = await canaryFor(cfg.path);
    const shape = finding(report, 'groupShape');
    expect(shape.verdict, describeFindings(report.findings)).to.equal('refuted');
    expect(shape.detail).to.contain('as objects it took the user but read back shows no membership; as ids it put the user in group "staff"')
      .and.contain('with objects every user loses its memberships silently');
    expect(finding(report, 'groups')).to.include({ verdict: 'confirmed' });
    expect(advisedSettings(report)).to.deep.equal({ groupShape: 'ids' });
    expect(formatCanaryReport(report)).to.contain('write under cidaas.compat:\n  groupShape: ids\n');
    // Its one member was emptied by the replace question: no membership left to remove.
    expectCleanedUp(emu, report, false);
  });

  it('a replacing tenant refutes groups add and names replace (one mapped group in the tenant: the empty list that clears tells)', async () => {
    const { emu, cfg } = await setUp({ groupUpdate: 'replace' }, { groups: 'add' }, ['staff']);
    const report = await canaryFor(cfg.path);
    expect(finding(report, 'groups')).to.include({ verdict: 'refuted' });
    expect(finding(report, 'groups').detail).to.contain('needless DELETE');
    expect(advisedSettings(report)).to.deep.equal({ groups: 'replace' });
    expect(formatCanaryReport(report)).to.contain('write under cidaas.compat:\n  groups: replace\n');
    expectCleanedUp(emu, report);
  });

  it('says it could not test the groups settings, and that setup apply comes first, while no mapped group exists in the tenant', async () => {
    const { emu, cfg } = await setUp({ groupUpdate: 'add' }, {}, []);
    const report = await canaryFor(cfg.path);
    for (const key of ['groupShape', 'groups', 'emptyGroups', 'group the tenant lacks'] as const) {
      const f = finding(report, key);
      expect(f.verdict).to.equal('not testable');
      expect(f.detail).to.contain('none of the groups the mapping names (editors, staff) exists in the tenant yet').and.contain('cidaas-sync setup apply');
    }
    expect(advisedSettings(report)).to.deep.equal({});
    expect(report.leftOver).to.deep.equal([]);
    expect(canaryUsersIn(emu)).to.deep.equal([]);
  });

  it('says it could not test the groups settings without cidaas:groups_read, and names the scope to grant', async () => {
    const { emu, cfg } = await setUp({}, {}, ['staff'], false, [...DEFAULT_SCOPES]);
    const report = await canaryFor(cfg.path);
    for (const key of ['groupShape', 'groups', 'emptyGroups', 'group the tenant lacks'] as const) {
      expect(finding(report, key).verdict).to.equal('not testable');
      expect(finding(report, key).detail).to.contain(`grant client "${CLIENT_ID}" the scope cidaas:groups_read`);
    }
    expect(canaryUsersIn(emu)).to.deep.equal([]);
  });

  for (const unknownProvider of ['fail', 'drop'] as const) {
    it(`with users.identities, reports that a tenant whose unknownProvider is ${unknownProvider} ${unknownProvider === 'fail' ? 'fails the user' : 'drops the link silently'}`, async () => {
      const { emu, cfg } = await setUp({ unknownProvider }, {}, ['staff'], true);
      const report = await canaryFor(cfg.path);
      const f = report.findings.find((x) => x.assumption === 'login provider the tenant lacks');
      expect(f, describeFindings(report.findings)).to.include({ verdict: 'confirmed' });
      expect(f!.detail).to.contain(unknownProvider === 'fail' ? 'cidaas fails the user (provider "canary-missing-' : 'dropped the link SILENTLY');
      expect(advisedSettings(report)).to.deep.equal({});
      expect(report.leftOver).to.deep.equal([]);
      expect(canaryUsersIn(emu)).to.deep.equal([]);
    });
  }

  for (const tenant of ['replace', 'add'] as const) {
    for (const configured of ['replace', 'add'] as const) {
      it(`a tenant whose upsert ${tenant === 'add' ? 'only adds' : 'replaces'} identities ${tenant === configured ? 'confirms' : 'refutes'} identities ${configured}`, async () => {
        const { emu, cfg } = await setUp({ identityUpdate: tenant }, { identities: configured }, ['editors', 'staff'], true, PROVIDER_SCOPES, false, ['google']);
        const report = await canaryFor(cfg.path);
        const f = finding(report, 'identities');
        expect(f.verdict, describeFindings(report.findings)).to.equal(tenant === configured ? 'confirmed' : 'refuted');
        expect(f.detail).to.contain(`pushed again with the google link alone, ${tenant === 'add' ? 'still has the other: the tenant only adds social links' : 'no longer has the other: the tenant replaces the social links'}`);
        if (tenant === 'add') expect(f.detail).to.contain(configured === 'replace' ? 'with replace, a login unlinked in legacy would stay in cidaas UNNOTICED' : 'an administrator unlinks it');
        if (tenant === 'replace' && configured === 'add') expect(f.detail).to.contain('with add, every updated user costs a needless read');
        expect(advisedSettings(report)).to.deep.equal(tenant === configured ? {} : { identities: tenant });
        expect(report.leftOver).to.deep.equal([]);
        expect(canaryUsersIn(emu)).to.deep.equal([]);
      });
    }
  }

  it('says identities is not testable while no mapped login provider exists in the tenant, and that setup apply comes first', async () => {
    const { cfg } = await setUp({ identityUpdate: 'add' }, {}, ['editors', 'staff'], true, PROVIDER_SCOPES);
    const report = await canaryFor(cfg.path);
    const f = finding(report, 'identities');
    expect(f.verdict, describeFindings(report.findings)).to.equal('not testable');
    expect(f.detail).to.contain('none of the login providers the mapping names (google) exists and is enabled in the tenant yet').and.contain('cidaas-sync setup apply');
  });

  it('says identities is not testable without cidaas:providers_read, and names the scope to grant', async () => {
    const { cfg } = await setUp({ identityUpdate: 'add' }, {}, ['editors', 'staff'], true, undefined, false, ['google']);
    const report = await canaryFor(cfg.path);
    const f = finding(report, 'identities');
    expect(f.verdict, describeFindings(report.findings)).to.equal('not testable');
    expect(f.detail).to.contain(`grant client "${CLIENT_ID}" the scope cidaas:providers_read`);
  });

  it('asks nothing about login providers when the mapping has no users.identities', async () => {
    const { cfg } = await setUp({}, {});
    const report = await canaryFor(cfg.path);
    expect(report.findings.map((f) => f.assumption)).to.not.include('login provider the tenant lacks');
    expect(report.findings.map((f) => f.assumption).filter((a) => a.startsWith('cidaas.compat.identities'))).to.deep.equal([]);
  });
});
