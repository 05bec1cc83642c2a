import { expect } from 'chai';
import { presetReportOf } from '../../../config/load-config.js';
import type { LegacyRows } from '../../../src/legacy-reader.js';
import { PRESET_NAMES } from '../../../src/presets/preset-names.js';
import { PRESETS } from '../../../src/presets/presets.js';
import { watchedTables } from '../../../src/app/pipeline-tables.js';
import { renderPresetSummary } from '../../../src/cli/output/preset-summary.js';
import { UserMapper } from '../../../src/user-mapper.js';
import { issueAt, parse, rejection } from '../config/config-test-helpers.js';

const CIDAAS = { baseUrl: 'https://acme.cidaas.eu', clientId: 'client-1', clientSecret: 'client-secret-1' };
const PG = { kind: 'postgres', url: 'postgres://sync:pw@localhost:5432/app' };
const MYSQL = { kind: 'mysql', url: 'mysql://sync:pw@localhost:3306/site' };

describe('platform presets (#11)', () => {
  for (const name of PRESET_NAMES) {
    it(`${name}: the preset alone and the connection make a valid configuration, on both databases`, async () => {
      const ref = name === 'keycloak' ? { name, realmId: 'b1f0c7e2-realm' } : name === 'joomla' ? { name, tablePrefix: 'jml_' } : name;
      for (const source of [PG, MYSQL]) {
        const c = await parse({ source, preset: ref, cidaas: CIDAAS });
        expect(c.users.table.name, `${name} on ${source.kind}`).to.be.a('string').and.not.equal('');
        expect(c.password?.algorithm).to.equal('auto');
        const report = presetReportOf(c)!;
        expect(report.name).to.equal(name);
        expect(report.overridden).to.deep.equal([]);
        expect(report.fromPreset).to.include('users.table');
        expect(PRESETS[name].sources.length).to.be.greaterThan(0);
      }
    });
  }

  it('names the known presets when the name is unknown', async () => {
    const err = await rejection({ source: PG, preset: 'typo3', cidaas: CIDAAS });
    expect(issueAt(err, 'preset')).to.equal('`typo3` is not a preset; known presets: django, wordpress, keycloak, aspnet-identity, drupal, drupal7, laravel, fosuserbundle, magento2, devise, joomla');
    const err2 = await rejection({ source: PG, preset: { name: 'djago' }, cidaas: CIDAAS });
    expect(issueAt(err2, 'preset.name')).to.match(/`djago` is not a preset; known presets: django,/);
  });

  it('asks for the parameters a preset needs and refuses those it does not take', async () => {
    expect(issueAt(await rejection({ source: PG, preset: 'keycloak', cidaas: CIDAAS }), 'preset')).to.match(/needs `realmId`/);
    expect(issueAt(await rejection({ source: PG, preset: { name: 'django', realmId: 'x' }, cidaas: CIDAAS }), 'preset.realmId'))
      .to.match(/not a parameter of the django preset/);
  });

  it('the file wins key by key; lists replace; null removes; the report says which is which', async () => {
    const c = await parse({
      source: PG, cidaas: CIDAAS, preset: { name: 'django', schema: 'legacy' },
      users: { fields: { email: 'email', given_name: null, nickname: 'username' }, softDelete: null, ignoreColumns: ['last_login', 'is_staff'] },
      mfa: null,
      sub: { prefix: 'dj-' },
    });
    expect(c.users.table).to.deep.equal({ schema: 'legacy', name: 'auth_user' });
    expect(c.users.fields).to.deep.equal({ email: 'email', username: 'username', family_name: 'last_name', nickname: 'username' });
    expect(c.users.softDelete).to.equal(undefined);
    expect(c.users.ignoreColumns).to.deep.equal(['last_login', 'is_staff']);
    expect(c.mfa).to.equal(undefined);
    expect(c.password?.hash).to.equal('password');
    const r = presetReportOf(c)!;
    expect(r.overridden).to.have.members(['users.fields.email', 'users.ignoreColumns']);
    expect(r.removed).to.have.members(['users.fields.given_name', 'users.softDelete', 'mfa']);
    expect(r.fromPreset).to.include.members(['users.table', 'users.key', 'users.fields.username', 'password.hash']);
    expect(r.fromPreset).to.not.include('users.fields.nickname');
    expect(r.params).to.deep.equal({ schema: 'legacy' });
    expect(r.effective).to.deep.include.members([
      { path: 'users.table', value: 'legacy.auth_user', origin: 'preset' },
      { path: 'users.fields.nickname', value: 'username', origin: 'file' },
      { path: 'users.ignoreColumns', value: ['last_login', 'is_staff'], origin: 'file, overrides the preset' },
      { path: 'mfa', origin: 'removed by the file' },
    ]);
    const shown = renderPresetSummary(r);
    expect(shown).to.match(/^preset: django \(Django .*\), schema: legacy\n/);
    expect(shown).to.match(/ {4}users\.fields\.email: "email" +\(file, overrides the preset\)\n/);
    expect(shown).to.include('overridden by the file: users.fields.email, users.ignoreColumns');
  });

  it('a soft-delete rule, an algorithm and a two-factor switch are replaced whole, never mixed with the preset\'s', async () => {
    const c = await parse({ source: PG, cidaas: CIDAAS, preset: 'django', users: { softDelete: { column: 'deleted_at' } }, password: { algorithm: { column: 'hasher' } } });
    expect(c.users.softDelete).to.deep.equal({ column: 'deleted_at' });
    expect(c.password?.algorithm).to.deep.equal({ column: 'hasher' });
    const r = presetReportOf(c)!;
    expect(r.overridden).to.include.members(['users.softDelete', 'password.algorithm']);
    const a = await parse({ source: PG, cidaas: CIDAAS, preset: 'aspnet-identity', mfa: { enabledWhen: { attribute: 'tfa', contains: '1' } }, attributes: { table: 'claims', userKey: 'UserId', name: 'ClaimType', value: 'ClaimValue' } });
    expect(a.mfa?.enabledWhen).to.deep.equal({ attribute: 'tfa', contains: '1' });
  });

  it('a schema error in a merged value names the key (a preset value the file broke)', async () => {
    const err = await rejection({ source: PG, cidaas: CIDAAS, preset: 'django', users: { key: 'no such;col' } });
    expect(issueAt(err, 'users.key')).to.match(/plain column name/);
  });

  it('WordPress: the table prefix reaches every table and meta name; TOTP counts only while the provider is on', async () => {
    const c = await parse({ source: MYSQL, cidaas: CIDAAS, preset: { name: 'wordpress', tablePrefix: 'shop_' } });
    expect(c.users.table).to.deep.equal({ schema: 'site', name: 'shop_users' });
    expect(c.attributes?.table.name).to.equal('shop_usermeta');
    expect(c.mfa?.table?.name).to.equal('shop_usermeta');
    expect(c.attributes?.ignoreNames).to.include('shop_user-settings');
    const mapper = new UserMapper(c);
    const secret = 'JBSWY3DPEHPK3PXP';
    const rows = (providers: string): LegacyRows => ({
      key: '7', user: { ID: 7, user_email: 'ann@example.com', user_login: 'ann', display_name: 'Ann', user_pass: '' }, password: [],
      mfa: [{ user_id: 7, meta_key: '_two_factor_totp_key', meta_value: secret }],
      attributes: [{ user_id: 7, meta_key: '_two_factor_totp_key', meta_value: secret }, { user_id: 7, meta_key: '_two_factor_enabled_providers', meta_value: providers }],
    });
    const on = await mapper.map(rows('a:1:{i:0;s:15:"Two_Factor_Totp";}'));
    const off = await mapper.map(rows('a:1:{i:0;s:16:"Two_Factor_Email";}'));
    expect(on.kind === 'upsert' && on.user.mfa_enabled).to.equal(true);
    expect(off.kind === 'upsert' && off.user.mfa_enabled).to.equal(false);
  });

  it('ASP.NET Identity: the authenticator key counts only while TwoFactorEnabled, and that column is watched', async () => {
    const c = await parse({ source: PG, cidaas: CIDAAS, preset: 'aspnet-identity' });
    const users = watchedTables(c).find((t) => t.role === 'users')!;
    expect('only' in users.watched && users.watched.only.has('TwoFactorEnabled')).to.equal(true);
    const mapper = new UserMapper(c);
    const rows = (twoFactor: boolean): LegacyRows => ({
      key: 'a1', user: { Id: 'a1', Email: 'a@example.com', EmailConfirmed: true, UserName: 'a@example.com', PasswordHash: null, TwoFactorEnabled: twoFactor },
      password: [], mfa: [{ UserId: 'a1', LoginProvider: '[AspNetUserStore]', Name: 'AuthenticatorKey', Value: 'JBSWY3DPEHPK3PXP' }], attributes: [],
    });
    const on = await mapper.map(rows(true));
    const off = await mapper.map(rows(false));
    expect(on.kind === 'upsert' && on.user.mfa_enabled).to.equal(true);
    expect(off.kind === 'upsert' && off.user.mfa_enabled).to.equal(false);
  });

  it('Drupal 8+: the key is unique under the default-translation filter; keyUniqueByFilter without a filter is refused', async () => {
    const c = await parse({ source: MYSQL, cidaas: CIDAAS, preset: 'drupal' });
    expect(c.users.keyUniqueByFilter).to.equal(true);
    expect(c.users.filter).to.deep.equal({ default_langcode: 1 });
    const err = await rejection({ source: MYSQL, cidaas: CIDAAS, preset: 'drupal', users: { filter: null } });
    expect(issueAt(err, 'users.keyUniqueByFilter')).to.match(/needs users.filter/);
  });

  it('an attribute switch without an attributes section is refused with the fix', async () => {
    const err = await rejection({ source: PG, cidaas: CIDAAS, preset: 'wordpress', attributes: null });
    expect(issueAt(err, 'mfa.enabledWhen.attribute')).to.match(/no `attributes:` section/);
  });
});
