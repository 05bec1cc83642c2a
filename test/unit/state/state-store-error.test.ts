import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { toStateStoreError } from '../../../src/state/state-store-error.js';
import { parseStateStoreUrl } from '../../../src/state/state-store-url.js';

function driverFailure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('state store error classification', function () {
  const sqlite = parseStateStoreUrl('sqlite:/var/lib/cidaas-sync/state.db');
  const mysql = parseStateStoreUrl('mysql://sync:hunter2-pw@db/legacy');

  it('calls a full disk permanent and says to free space', function () {
    for (const err of [driverFailure('SQLITE_FULL', 'database or disk is full'), driverFailure('ENOSPC', 'no space left on device')]) {
      const e = toStateStoreError(err, sqlite, 'recordOutcomes');
      expect(e.code).to.equal('STATE_STORE');
      expect(e.transient).to.equal(false);
      expect(e.message).to.contain('the disk of the state store at /var/lib/cidaas-sync/state.db is full');
      expect(e.hint).to.contain('free space');
    }
  });

  it('calls a busy file, a dropped connection and a deadlock transient', function () {
    expect(toStateStoreError(driverFailure('SQLITE_BUSY', 'database is locked'), sqlite, 'x').transient).to.equal(true);
    expect(toStateStoreError(driverFailure('57P01', 'terminating connection due to administrator command'), mysql, 'x').transient).to.equal(true);
    expect(toStateStoreError(driverFailure('ER_LOCK_DEADLOCK', 'Deadlock found'), mysql, 'x').transient).to.equal(true);
  });

  it('unwraps typeorm query errors and never repeats the password', function () {
    const wrapped = Object.assign(new Error('Query failed'), { driverError: driverFailure('ER_ACCESS_DENIED_ERROR', "Access denied for user 'sync' using hunter2-pw") });
    const e = toStateStoreError(wrapped, mysql, 'open');
    expect(e.transient).to.equal(false);
    expect(e.message).to.contain('mysql://sync:***@db/legacy refused the login');
    expect(e.describe()).not.to.contain('hunter2-pw');
  });

  it('passes a SyncError through unchanged', function () {
    const original = new SyncError('STATE_STORE', 'already explained');
    expect(toStateStoreError(original, sqlite, 'x')).to.equal(original);
  });
});
