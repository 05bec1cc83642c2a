import { expect } from 'chai';
import { ConfigError, isTransient, SyncError } from '../../src/errors.js';

describe('SyncError across two copies of its module', () => {
  // Under mocha this file's static imports are loaded with require(), and import() loads a
  // second copy of src/errors.ts, as it does for the adapters the source lookup imports. Before
  // the brand, a transient error from such a copy was not `instanceof SyncError`, so not transient.
  it('an error of the other copy is an instance of the class of the same name, and no other', async () => {
    const other = await import('../../src/errors.js');
    expect(other.SyncError, 'this test needs two copies; if mocha loads one, it proves nothing').to.not.equal(SyncError);
    const busy = new other.SyncError('STATE_STORE', 'locked', { transient: true });
    expect(busy instanceof SyncError).to.equal(true);
    expect(busy instanceof ConfigError).to.equal(false);
    expect(isTransient(busy)).to.equal(true);
    expect(new other.ConfigError('bad') instanceof ConfigError).to.equal(true);
    expect(new other.ConfigError('bad') instanceof SyncError).to.equal(true);
  });

  it('a plain Error, or an object that names itself SyncError, is not one', () => {
    expect(new Error('x') instanceof SyncError).to.equal(false);
    expect(Object.assign(new Error('x'), { name: 'SyncError', code: 'STATE_STORE' }) instanceof SyncError).to.equal(false);
    expect(new SyncError('STATE_STORE', 'x') instanceof SyncError).to.equal(true);
  });
});
