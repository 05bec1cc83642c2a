import { expect } from 'chai';
import { Translator, type WatchedTable } from '../../src/translator.js';
import type { RowChange } from '../../src/source.js';
import { rowDigest } from '../../src/digest/row-digest.js';
import { unmetExpectations } from '../../src/digest/row-expectation.js';
import type { LegacyRows } from '../../src/legacy-reader.js';

const users: WatchedTable = { role: 'users', table: 'public.users', userKey: 'id', watched: { only: new Set(['id', 'email', 'first_name', 'deleted_at']) } };
const creds: WatchedTable = { role: 'password', table: 'public.credentials', userKey: 'user_id', watched: { only: new Set(['id', 'user_id', 'password_hash']) } };
const meta: WatchedTable = {
  role: 'attributes', table: 'wp.wp_usermeta', userKey: 'user_id', watched: { only: new Set(['umeta_id', 'user_id', 'meta_key', 'meta_value']) },
  nameColumn: 'meta_key', ignoreNames: new Set(['session_tokens']),
};
const t = new Translator([users, creds, meta]);

function change(c: Partial<RowChange> & Pick<RowChange, 'table' | 'op'>): RowChange {
  return { before: null, after: null, keyColumns: ['id'], ...c };
}

describe('translator', () => {
  it('drops changes on tables that are not configured', () => {
    expect(t.translate(change({ table: 'public.orders', op: 'insert', after: { id: 1 } }))).to.deep.equal({ dropped: 'unwatched-table' });
  });

  it('marks the user of an insert with the inserted image as expectation', () => {
    const r = t.translate(change({ table: 'public.users', op: 'insert', after: { id: 7, email: 'a@x.io', first_name: 'A', deleted_at: null, last_login_at: null } }));
    expect('marks' in r).to.equal(true);
    if (!('marks' in r)) return;
    expect(r.marks).to.have.length(1);
    expect(r.marks[0]!.key).to.equal('7');
    expect(r.marks[0]!.expectation!.columns).to.deep.equal(['deleted_at', 'email', 'first_name', 'id']);
  });

  it('drops an update that touches only unwatched columns when the old image is complete', () => {
    const before = { id: 7, email: 'a@x.io', first_name: 'A', deleted_at: null, last_login_at: '2024-01-01' };
    const after = { ...before, last_login_at: '2024-01-02' };
    expect(t.translate(change({ table: 'public.users', op: 'update', before, after }))).to.deep.equal({ dropped: 'unwatched-columns' });
  });

  it('keeps an update without an old image (the fingerprint decides later)', () => {
    const after = { id: 7, email: 'a@x.io', first_name: 'A', deleted_at: null, last_login_at: '2024-01-02' };
    const r = t.translate(change({ table: 'public.users', op: 'update', after }));
    expect('marks' in r && r.marks.map((m) => m.key)).to.deep.equal(['7']);
  });

  it('marks both users when a related row moves from one user to another', () => {
    const r = t.translate(change({ table: 'public.credentials', op: 'update', before: { id: 1, user_id: 5, password_hash: 'h' }, after: { id: 1, user_id: 6, password_hash: 'h' } }));
    expect('marks' in r && r.marks.map((m) => [m.key, m.expectation?.columns === null])).to.deep.equal([['6', false], ['5', true]]);
  });

  it('marks the old and the new key when the users key changes', () => {
    const r = t.translate(change({ table: 'public.users', op: 'update', before: { id: 1 }, after: { id: 2, email: 'e@x.io', first_name: null, deleted_at: null } }));
    expect('marks' in r && r.marks.map((m) => m.key)).to.deep.equal(['2', '1']);
  });

  it('expects the row to be absent after a delete', () => {
    const r = t.translate(change({ table: 'public.credentials', op: 'delete', before: { id: 3, user_id: 9, password_hash: 'h' } }));
    expect('marks' in r && r.marks[0]!.key).to.equal('9');
    expect('marks' in r && r.marks[0]!.expectation!.columns).to.equal(null);
  });

  it('cannot place a delete whose old image lacks the user key', () => {
    expect(t.translate(change({ table: 'public.credentials', op: 'delete', before: { id: 3 } }))).to.deep.equal({ dropped: 'no-user-key' });
  });

  it('drops attribute rows whose name is ignored', () => {
    const r = t.translate(change({ table: 'wp.wp_usermeta', op: 'insert', keyColumns: ['umeta_id'], after: { umeta_id: 1, user_id: 4, meta_key: 'session_tokens', meta_value: 'x' } }));
    expect(r).to.deep.equal({ dropped: 'ignored-name' });
    const kept = t.translate(change({ table: 'wp.wp_usermeta', op: 'insert', keyColumns: ['umeta_id'], after: { umeta_id: 2, user_id: 4, meta_key: 'first_name', meta_value: 'Ann' } }));
    expect('marks' in kept && kept.marks[0]!.key).to.equal('4');
  });

  it('watches every column but the ignored ones when a mapping module may read any', () => {
    const all = new Translator([{ role: 'users', table: 'u', userKey: 'id', watched: { except: new Set(['last_login_at']) } }]);
    const before = { id: 1, nickname: 'a', last_login_at: 1 };
    expect(all.translate(change({ table: 'u', op: 'update', before, after: { ...before, last_login_at: 2 } }))).to.deep.equal({ dropped: 'unwatched-columns' });
    const r = all.translate(change({ table: 'u', op: 'update', before, after: { ...before, nickname: 'b' } }));
    expect('marks' in r).to.equal(true);
  });
});

describe('read expectations (the read must not be older than the log)', () => {
  const rows = (user: Record<string, unknown> | null): LegacyRows => ({ key: '7', user, password: [], mfa: [], attributes: [] });
  const image = { id: 7, email: 'new@x.io', first_name: 'A', deleted_at: null };
  const r = t.translate(change({ table: 'public.users', op: 'update', after: image }));
  const exp = 'marks' in r ? r.marks[0]!.expectation! : null;

  it('accepts a read that shows the logged image', () => {
    expect(unmetExpectations(rows({ ...image, last_login_at: 'whatever' }), [exp!])).to.deep.equal([]);
  });

  it('rejects a read older than the logged image', () => {
    expect(unmetExpectations(rows({ ...image, email: 'old@x.io' }), [exp!])).to.deep.equal(['users:changed']);
  });

  it('rejects a read that still shows a deleted row', () => {
    const d = t.translate(change({ table: 'public.users', op: 'delete', before: { id: 7 } }));
    const de = 'marks' in d ? d.marks[0]!.expectation! : null;
    expect(unmetExpectations(rows(image), [de!])).to.deep.equal(['users:deleted']);
    expect(unmetExpectations(rows(null), [de!])).to.deep.equal([]);
  });

  it('ignores columns the log did not carry (unchanged TOAST)', () => {
    const toast = t.translate(change({ table: 'public.users', op: 'update', after: { id: 7, email: undefined, first_name: 'B', deleted_at: null } }));
    const te = 'marks' in toast ? toast.marks[0]!.expectation! : null;
    expect(te!.columns).to.not.include('email');
    expect(unmetExpectations(rows({ id: 7, email: 'anything', first_name: 'B', deleted_at: null }), [te!])).to.deep.equal([]);
  });
});

describe('row digest', () => {
  it('treats the log and driver forms of a value alike', () => {
    expect(rowDigest({ a: 1 }, ['a'])).to.equal(rowDigest({ a: '1' }, ['a']));
    expect(rowDigest({ a: true }, ['a'])).to.equal(rowDigest({ a: 1 }, ['a']));
    expect(rowDigest({ a: 12345678901234567890n }, ['a'])).to.equal(rowDigest({ a: '12345678901234567890' }, ['a']));
    expect(rowDigest({ a: { y: 1, x: [2] } }, ['a'])).to.equal(rowDigest({ a: { x: [2], y: 1 } }, ['a']));
    expect(rowDigest({ a: Buffer.from('ab') }, ['a'])).to.equal(rowDigest({ a: new Uint8Array([0x61, 0x62]) }, ['a']));
  });

  it('tells null from the string "null" and from an empty string', () => {
    expect(rowDigest({ a: null }, ['a'])).to.not.equal(rowDigest({ a: 'null' }, ['a']));
    expect(rowDigest({ a: null }, ['a'])).to.not.equal(rowDigest({ a: '' }, ['a']));
  });

  it('changes when any listed column changes', () => {
    expect(rowDigest({ a: 1, b: 2 }, ['a', 'b'])).to.not.equal(rowDigest({ a: 1, b: 3 }, ['a', 'b']));
  });

  it('is the digest of the parts hashed one after the other, lone surrogates included (#15)', () => {
    // Vectors from the earlier implementation (one SHA-256 update per column name, separator and
    // value): the one-shot hash of the joined text must give the same digests.
    const row = {
      id: 42, email: 'zo\u00eb@example.com', first_name: 'Zo\u00eb', active: true, born: new Date('1990-01-02T03:04:05.678Z'),
      tags: { b: 1, a: ['x'] }, blob: Buffer.from([0, 255]), gone: null, half: 'a\ud800',
    };
    expect(rowDigest(row, Object.keys(row))).to.equal('AFsqCCRNM2_jtNk-PVk_Y1');
    expect(rowDigest({ a: 1 }, ['a'])).to.equal('P_Q4mJjMAxLX0j3RYSiT4e');
    expect(rowDigest(row, ['email', 'id'])).to.not.equal(rowDigest(row, ['id', 'email']));
  });
});

describe('translator: a deleted root row', () => {
  it('marks the user as deleted at the root, so a key used again gets nothing of the old user', () => {
    const r = t.translate(change({ table: 'public.users', op: 'delete', before: { id: 7 } }));
    expect('marks' in r && r.marks[0]!.rootDeleted).to.equal(true);
    const related = t.translate(change({ table: 'public.credentials', op: 'delete', before: { id: 3, user_id: 9, password_hash: 'h' } }));
    expect('marks' in related && related.marks[0]!.rootDeleted).to.equal(undefined);
  });
});
