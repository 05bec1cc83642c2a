import { expect } from 'chai';
import { parseConfig } from '../../config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { matchesFilter, rowFilter } from '../../src/row-filter.js';
import type { RowChange } from '../../src/source.js';
import { Translator, type WatchedTable } from '../../src/translator.js';

const users: WatchedTable = {
  role: 'users', table: 'public.user_entity', userKey: 'id', watched: { only: new Set(['id', 'email']) }, filter: { realm_id: ['shop'] },
};
const password: WatchedTable = {
  role: 'password', table: 'public.credential', userKey: 'user_id', watched: { only: new Set(['user_id', 'secret_data']) }, filter: { type: ['password'] },
};
const otp: WatchedTable = {
  role: 'mfa', table: 'public.credential', userKey: 'user_id', watched: { only: new Set(['user_id', 'secret_data']) }, filter: { type: ['otp'] },
};
const t = new Translator([users, password, otp]);

function change(c: Partial<RowChange> & Pick<RowChange, 'table' | 'op'>): RowChange {
  return { before: null, after: null, keyColumns: ['id'], ...c };
}

describe('row filters (#20)', () => {
  it('match a value or a list, in canonical text (true is 1, 42 is "42"), and cannot tell without the column', () => {
    expect(matchesFilter(rowFilter({ realm_id: 'shop' }), { realm_id: 'shop' })).to.equal(true);
    expect(matchesFilter(rowFilter({ realm_id: ['a', 'shop'] }), { realm_id: 'shop' })).to.equal(true);
    expect(matchesFilter(rowFilter({ realm_id: 'shop' }), { realm_id: 'master' })).to.equal(false);
    expect(matchesFilter(rowFilter({ realm_id: 'shop' }), { realm_id: null })).to.equal(false);
    expect(matchesFilter(rowFilter({ enabled: true, tier: 42 }), { enabled: 1, tier: '42' })).to.equal(true);
    expect(matchesFilter(rowFilter({ realm_id: 'shop' }), { id: 'x' })).to.equal(null);
    expect(matchesFilter(undefined, { id: 'x' })).to.equal(true);
  });

  it('drop a change whose row is outside the filter before and after', () => {
    expect(t.translate(change({ table: 'public.user_entity', op: 'insert', after: { id: 'a', realm_id: 'master', email: 'x@y.io' } }))).to.deep.equal({ dropped: 'filtered' });
    const before = { id: 'a', realm_id: 'master', email: 'x@y.io' };
    expect(t.translate(change({ table: 'public.user_entity', op: 'update', before, after: { ...before, email: 'z@y.io' } }))).to.deep.equal({ dropped: 'filtered' });
    expect(t.translate(change({ table: 'public.user_entity', op: 'delete', before }))).to.deep.equal({ dropped: 'filtered' });
  });

  it('read a row that moves out of the filter as gone for its user, and one that moves in as present', () => {
    const inside = { id: 'a', realm_id: 'shop', email: 'x@y.io' };
    const out = t.translate(change({ table: 'public.user_entity', op: 'update', before: inside, after: { ...inside, realm_id: 'master' } }));
    expect('marks' in out && out.marks.map((m) => [m.key, m.expectation?.digest ?? null])).to.deep.equal([['a', null]]);
    const back = t.translate(change({ table: 'public.user_entity', op: 'update', before: { ...inside, realm_id: 'master' }, after: inside }));
    expect('marks' in back && back.marks[0]!.expectation?.digest).to.be.a('string');
  });

  it('tell two roles of one table apart by their filters', () => {
    const pw = t.translate(change({ table: 'public.credential', op: 'insert', after: { id: 'c1', user_id: 'a', type: 'password', secret_data: '{}' } }));
    expect('marks' in pw && pw.marks.map((m) => m.expectation?.role)).to.deep.equal(['password']);
    const code = t.translate(change({ table: 'public.credential', op: 'insert', after: { id: 'c2', user_id: 'a', type: 'otp', secret_data: '{}' } }));
    expect('marks' in code && code.marks.map((m) => m.expectation?.role)).to.deep.equal(['mfa']);
    expect(t.translate(change({ table: 'public.credential', op: 'insert', after: { id: 'c3', user_id: 'a', type: 'webauthn', secret_data: '{}' } }))).to.deep.equal({ dropped: 'filtered' });
  });

  it('are configured under users, password, mfa and attributes, and only with a table for password and mfa', async () => {
    const base = (extra: string) => `
source: { kind: postgres, url: "postgres://u@h/db", tls: verify-full }
users: { table: user_entity, key: id, fields: { email: email }, filter: { realm_id: shop } }
${extra}
cidaas: { baseUrl: "https://x.cidaas.de", clientId: c, clientSecret: s }
`;
    const c = await parseConfig(base('password: { table: credential, userKey: user_id, hash: secret_data, filter: { type: [password] } }'), { baseDir: '/tmp', env: {} });
    expect(c.users.filter).to.deep.equal({ realm_id: 'shop' });
    expect(c.password?.filter).to.deep.equal({ type: ['password'] });
    const err = await parseConfig(base('password: { hash: pw, filter: { type: password } }'), { baseDir: '/tmp', env: {} }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).to.include('password.filter');
  });
});
