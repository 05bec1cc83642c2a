import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { isSqliteBusy, waitOutSqliteLock } from '../../../src/state/wait-out-sqlite-lock.js';

/** better-sqlite3's error as typeorm wraps it and the store wraps that again. */
function wrappedBusy(): SyncError {
  const driver = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  const query = Object.assign(new Error('QueryFailedError'), { driverError: driver });
  return new SyncError('STATE_STORE', 'the state store is locked by another process', { transient: true, cause: query });
}

describe('waitOutSqliteLock: SQLite locks are waited for between attempts, not inside the driver (#15)', () => {
  it('finds SQLITE_BUSY under typeorm\'s and the store\'s wrappers, and nothing else', () => {
    expect(isSqliteBusy(wrappedBusy())).to.equal(true);
    expect(isSqliteBusy(Object.assign(new Error('x'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).to.equal(true);
    expect(isSqliteBusy(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))).to.equal(false);
    expect(isSqliteBusy(new SyncError('STATE_STORE', 'down', { transient: true }))).to.equal(false);
  });

  it('runs the attempt again while it meets the lock and returns its result', async () => {
    let calls = 0;
    const result = await waitOutSqliteLock(async () => {
      calls++;
      if (calls < 4) throw wrappedBusy();
      return 'stored';
    }, 10_000);
    expect([result, calls]).to.deep.equal(['stored', 4]);
  });

  it('throws any other failure at once, and the lock\'s once the budget is spent', async () => {
    const full = new SyncError('STATE_STORE', 'the disk is full');
    let calls = 0;
    const caught = await waitOutSqliteLock(async () => { calls++; throw full; }, 10_000).catch((err: unknown) => err);
    expect([caught, calls]).to.deep.equal([full, 1]);
    const busy = wrappedBusy();
    const last = await waitOutSqliteLock(async () => { throw busy; }, 0).catch((err: unknown) => err);
    expect(last).to.equal(busy);
  });
});
