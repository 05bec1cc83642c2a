import { expect } from 'chai';
import { checkHa } from '../../../src/ha/ha-preflight.js';
import { issueAt, minimalConfig, parse, rejection } from '../config/config-test-helpers.js';

/** Issue #14: the `ha` keys and what `check` says about them. */
describe('HA configuration and check (#14)', () => {
  it('is off by default with a 15 s lease, and rejects unknown keys and a lease under a second', async () => {
    expect((await parse(minimalConfig())).ha).to.deep.equal({ enabled: false, leaseSeconds: 15 });
    expect((await parse({ ...minimalConfig(), ha: { enabled: true, leaseSeconds: 4 } })).ha).to.deep.equal({ enabled: true, leaseSeconds: 4 });
    expect(issueAt(await rejection({ ...minimalConfig(), ha: { enabled: true, lease: 4 } }), 'ha.lease')).to.match(/leaseSeconds/);
    await rejection({ ...minimalConfig(), ha: { leaseSeconds: 0 } });
  });

  it('warns when a MySQL replica uses another source.serverId than the active one, and passes when they match', async () => {
    const mysql = await parse({
      ...minimalConfig(),
      source: { kind: 'mysql', url: 'mysql://sync:pw@db:3306/shop', serverId: 4711, tls: 'verify-full' },
      state: { url: 'mysql://sync:pw@db:3306/shop', tls: 'verify-full' },
      ha: { enabled: true },
    });
    const byName = (stored: string | null) => Object.fromEntries(checkHa(mysql, stored).map((i) => [i.name, i]));
    expect(byName(null)['ha source.serverId']).to.include({ ok: true });
    expect(byName('4711')['ha source.serverId']).to.include({ ok: true });
    const other = byName('4712')['ha source.serverId']!;
    expect(other).to.include({ ok: false, severity: 'warning' });
    expect(other.fix).to.contain('serverId: 4712');
    expect(byName(null)['ha state store']).to.include({ ok: true });
  });

  it('says that a SQLite state store protects one host only, and refuses an in-memory one', async () => {
    const file = await parse({ ...minimalConfig(), state: { url: 'sqlite:/var/lib/cidaas-sync/state.db' }, ha: { enabled: true } });
    expect(checkHa(file, null)[0]).to.include({ ok: false, severity: 'warning' });
    expect(checkHa(file, null)[0]!.detail).to.contain('one host');
    const memory = await parse({ ...minimalConfig(), state: { url: 'sqlite::memory:' }, ha: { enabled: true } });
    expect(checkHa(memory, null)[0]).to.include({ ok: false });
    expect(checkHa(memory, null)[0]!.severity).to.equal(undefined);
  });
});
