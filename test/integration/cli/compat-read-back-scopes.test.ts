import { expect } from 'chai';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { checkCidaas } from '../../../src/preflight/cidaas-preflight.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { minimalConfig, parse } from '../../unit/config/config-test-helpers.js';

const CLIENT_ID = 'scopes-client';
const CLIENT_SECRET = 'scopes-client-secret-1';

/**
 * `check`'s cidaas scopes for the compat settings that read updated users back (#16): under
 * `identities: add` or `emptyGroups: ignore` the push itself reads users (`cidaas:users_read`),
 * and removes memberships (`cidaas:groups_write`) under `emptyGroups: ignore`, so a missing scope
 * fails instead of the usual warning about verify.
 */
describe('check: the scopes a read-back after the update needs (compat identities add, emptyGroups ignore) (#16)', function () {
  this.timeout(30_000);
  let emu: RunningEmulator;

  before(async () => {
    emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ['cidaas:bulk_user_create', 'cidaas:users_delete'] });
  });
  after(async () => {
    await emu?.close();
  });

  async function items(compat: Record<string, string>, users: Record<string, unknown>): Promise<Map<string, { ok: boolean; severity?: string; detail: string }>> {
    const c = minimalConfig();
    c['users'] = { ...c['users'], ...users };
    c['cidaas'] = { baseUrl: emu.url, allowEmulator: true, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, compat };
    const found = await checkCidaas(await parse(c), new MemoryLogger());
    return new Map(found.map((i) => [i.name, i]));
  }
  const identities = { identities: { table: 'social', userKey: 'user_id', provider: 'provider', providerUserId: 'uid' } };
  /** A failed item that stops the run (no severity means error), not a warning. */
  const fails = (i: { ok: boolean; severity?: string } | undefined): void => {
    expect(i).to.include({ ok: false });
    expect(i!.severity ?? 'error').to.equal('error');
  };
  const groups = { groups: { table: 'auth_user_groups', userKey: 'user_id', group: 'group_id', map: { '1': 'editors' } } };

  it('fails on cidaas:users_read under identities add, naming why', async () => {
    const found = await items({ identities: 'add' }, identities);
    fails(found.get('scope cidaas:users_read'));
    expect(found.get('scope cidaas:users_read')!.detail).to.contain('cidaas.compat.identities is add');
    expect(found.has('scope cidaas:groups_write')).to.equal(false);
  });

  it('fails on cidaas:users_read and cidaas:groups_write under emptyGroups ignore', async () => {
    const found = await items({ emptyGroups: 'ignore' }, groups);
    expect(found.get('scope cidaas:users_read')!.detail).to.contain('cidaas.compat.emptyGroups is ignore');
    fails(found.get('scope cidaas:users_read'));
    fails(found.get('scope cidaas:groups_write'));
  });

  it('only warns about cidaas:users_read (verify needs it) with replace and clear', async () => {
    const found = await items({}, { ...identities, ...groups });
    expect(found.get('scope cidaas:users_read')).to.include({ ok: false, severity: 'warning' });
  });
});
