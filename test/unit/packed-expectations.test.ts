import { expect } from 'chai';
import { DirtySet } from '../../src/dirty-set.js';
import { PackedExpectations } from '../../src/digest/packed-expectations.js';
import type { RowExpectation } from '../../src/digest/row-expectation.js';

const users = (identity: string, digest: string): RowExpectation => ({ role: 'users', identityColumns: ['id'], identity, columns: ['id', 'email'], digest });
const gone = (identity: string): RowExpectation => ({ role: 'mfa', identityColumns: ['user_id', 'id'], identity, columns: null, digest: null });

describe('PackedExpectations: a dirty user\'s expectations in one string (#15)', () => {
  it('unpacks what was added, keyed by role and identity, shapes intact', () => {
    const p = new PackedExpectations();
    const a = users('42', 'AAAAAAAAAAAAAAAAAAAAAA');
    const b = gone('["42","7:x:y"]');
    const packed = p.add(p.add(undefined, a), b);
    expect([...p.unpack(packed).entries()]).to.deep.equal([['users\u000042', a], ['mfa\u0000["42","7:x:y"]', b]]);
  });

  it('keeps only the newest expectation of a row; a deletion replaces a present row', () => {
    const p = new PackedExpectations();
    let packed = p.add(undefined, users('1', 'old'));
    packed = p.add(packed, { ...gone('1'), role: 'password' });
    packed = p.add(packed, users('1', 'new'));
    packed = p.add(packed, { ...users('1', 'x'), role: 'password', columns: null, digest: null });
    const out = [...p.unpack(packed).values()];
    expect(out.map((e) => [e.role, e.digest])).to.deep.equal([['users', 'new'], ['password', null]]);
  });

  it('carries any identity text, colons, digits and non-ASCII included', () => {
    const p = new PackedExpectations();
    const id = 'ü:3:4:日本';
    expect(p.unpack(p.add(undefined, users(id, 'd'))).get(`users\u0000${id}`)?.identity).to.equal(id);
    expect(p.unpack(undefined).size).to.equal(0);
  });
});

describe('DirtySet (#15)', () => {
  const fields = { oldestSeq: 3, notBefore: 10, since: 1, lastChange: 2, attempts: 5, force: true, rootDeleted: false };

  it('keeps insertion order, reuses freed slots and returns what a user held', () => {
    const d = new DirtySet();
    for (let i = 0; i < 3000; i++) d.add(`k${i}`, { ...fields, oldestSeq: i });
    expect(d.remove('k1')).to.deep.equal({ ...fields, oldestSeq: 1 });
    expect(d.remove('k1')).to.equal(undefined);
    d.add('k1', { ...fields, rootDeleted: true, expectations: 'x' });
    expect(d.size).to.equal(3000);
    const order = [...d.entries()].map(([k]) => k);
    expect(order.slice(0, 2)).to.deep.equal(['k0', 'k2']);
    expect(order.at(-1)).to.equal('k1');
    expect(d.fields(d.slotOf('k1')!)).to.deep.equal({ ...fields, rootDeleted: true, expectations: 'x' });
    expect(d.oldestSeq(d.slotOf('k2999')!)).to.equal(2999);
    for (const k of order) d.remove(k);
    expect(d.size).to.equal(0);
    d.add('again', fields);
    expect(d.fields(d.slotOf('again')!)).to.deep.equal(fields);
  });
});
