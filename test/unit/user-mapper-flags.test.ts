import { expect } from 'chai';
import type { LegacyRows } from '../../src/legacy-reader.js';
import { legacyTruthy, UserMapper } from '../../src/user-mapper.js';
import { minimalConfig, parse } from './config/config-test-helpers.js';

/** Laravel's users table: email_verified_at is a timestamp, NULL until the link is followed and again after an address change. */
async function laravelMapper(): Promise<UserMapper> {
  const c = minimalConfig();
  c['users'] = { table: 'users', key: 'id', fields: { email: 'email', email_verified: 'email_verified_at' } };
  return new UserMapper(await parse(c));
}

function row(verifiedAt: unknown): LegacyRows {
  return { key: '1', user: { id: '1', email: 'ann@example.com', email_verified_at: verifiedAt }, password: [], mfa: [], attributes: [] };
}

describe('verified flags from "verified at" columns and NULLs (Devise confirmed_at, Laravel email_verified_at)', () => {
  it('reads a set date/time as yes, and MySQL\'s zero date (an invalid Date) as no', () => {
    expect(legacyTruthy(new Date('2024-05-01T10:00:00Z'))).to.equal(true);
    expect(legacyTruthy(new Date(Number.NaN))).to.equal(false);
  });

  it('pushes email_verified true for a set timestamp and false, not nothing, for NULL', async () => {
    const mapper = await laravelMapper();
    const verified = await mapper.map(row(new Date('2024-05-01T10:00:00Z')));
    expect(verified.kind === 'upsert' && verified.user.email_verified).to.equal(true);
    // An address changed in Laravel resets email_verified_at to NULL: cidaas must hear false, or it
    // would keep the earlier true for an address nobody confirmed.
    const reset = await mapper.map(row(null));
    expect(reset.kind).to.equal('upsert');
    if (reset.kind === 'upsert') expect(reset.user).to.have.property('email_verified', false);
  });
});
