import { expect } from 'chai';
import { SyncError } from '../../src/errors.js';
import { assertPageAdvanced, assertUsableKey, keyParam } from '../../src/legacy-key.js';
import { keyText } from '../../src/digest/row-digest.js';

const where = { table: 'public.users', column: 'id', configKey: 'users.key', root: true };

function thrown(f: () => unknown): SyncError {
  try {
    f();
  } catch (err) {
    if (err instanceof SyncError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('legacy keys (#20)', () => {
  it('turn their text form back into the typed parameter the column matches', () => {
    const bytes = Buffer.from([0, 1, 0xfe, 0xff]);
    expect(keyParam('bytes', keyText(bytes)!)).to.deep.equal(bytes);
    expect(keyParam('integer', keyText('18446744073709551615')!)).to.equal(18446744073709551615n);
    expect(keyParam('integer', keyText(-5)!)).to.equal(-5n);
    expect(keyParam('text', 'hex:00')).to.equal('hex:00'); // a text key that merely looks binary stays text
  });

  it('refuse a text that is no value of the column, without echoing more than a prefix', () => {
    expect(thrown(() => keyParam('bytes', 'hex:0g')).code).to.equal('USAGE');
    expect(thrown(() => keyParam('bytes', '0a0b')).message).to.include('hex:');
    expect(thrown(() => keyParam('integer', '4x2')).message).to.include('digits');
  });

  it('stop at start on a missing column, an unusable type or a key that is only part of a composite primary key', () => {
    expect(thrown(() => assertUsableKey(null, where)).code).to.equal('SOURCE_KEY_UNSUPPORTED');
    const float = thrown(() => assertUsableKey({ type: 'double precision', kind: null, primaryKey: ['id'], unique: true }, where));
    expect(float.message).to.include('public.users.id (users.key) has type double precision');
    expect(float.exitCode).to.equal(3);
    const composite = thrown(() => assertUsableKey({ type: 'varchar(36)', kind: 'text', primaryKey: ['realm_id', 'id'], unique: false }, where));
    expect(composite.message).to.include('primary key is (realm_id, id)');
    expect(assertUsableKey({ type: 'varchar(36)', kind: 'text', primaryKey: ['realm_id', 'id'], unique: true }, where)).to.equal('text');
    // users.keyUniqueByFilter: Drupal 8+'s users_field_data, (uid, langcode), one row per uid under the filter (#11).
    expect(assertUsableKey({ type: 'int unsigned', kind: 'integer', primaryKey: ['uid', 'langcode'], unique: false }, { ...where, uniqueByFilter: true })).to.equal('integer');
    // A related table's foreign key need not be unique.
    expect(assertUsableKey({ type: 'bytea', kind: 'bytes', primaryKey: ['id'], unique: false }, { ...where, root: false })).to.equal('bytes');
  });

  it('notice a page that repeats a key of the page before', () => {
    expect(() => assertPageAdvanced(['1', '2'], ['3', '4'], 'users.key')).to.not.throw();
    expect(thrown(() => assertPageAdvanced(['1', '2'], ['1', '2'], 'users.key')).message).to.include('did not advance');
  });
});
