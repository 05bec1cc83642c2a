import { expect } from 'chai';
import { isPermanentFailure, readProcessStates } from '../../src/cidaas/bulk-outcome.js';
import { Secret } from '../../src/secret.js';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';

const users: CidaasUser[] = [{ sub: 'a' }, { sub: 'b', password_hash_info: { algorithmTypeId: 'SHA256', passwordHash: new Secret('abc123hash') } }, { sub: 'c' }];

describe('bulk outcomes', () => {
  it('matches process states to users by position and keeps the input subs', () => {
    const body = { data: { process_states: [
      { sub: 'a', status: 'CREATED' },
      { sub: 'ANONYMOUS', state: 'FAILED', message: 'email already exists' },
      { sub: 'c', process_state: 'UPDATED' },
    ] } };
    expect(readProcessStates(body, users)).to.deep.equal([
      { sub: 'a', status: 'CREATED', permanent: false },
      { sub: 'b', status: 'FAILED', message: 'email already exists', permanent: true },
      { sub: 'c', status: 'UPDATED', permanent: false },
    ]);
  });

  it('describes a body whose process states do not match the batch', () => {
    expect(readProcessStates({ data: { process_states: [] } }, users)).to.match(/0 process states for 3 users/);
    expect(readProcessStates({ data: {} }, users)).to.be.a('string');
    expect(readProcessStates({ data: { process_states: [{ status: 'OK' }, {}, {}] } }, users)).to.match(/not CREATED/);
  });

  it('cuts a password hash that cidaas echoes out of the FAILED message', () => {
    const body = { data: { process_states: [{ status: 'CREATED' }, { status: 'FAILED', message: 'bad hash abc123hash' }, { status: 'CREATED' }] } };
    const out = readProcessStates(body, users);
    expect(JSON.stringify(out)).not.to.contain('abc123hash');
  });

  it('treats FAILED as permanent unless cidaas says the failure was passing', () => {
    expect(isPermanentFailure('invalid email passed')).to.equal(true);
    expect(isPermanentFailure('unsupported algorithmTypeId')).to.equal(true);
    expect(isPermanentFailure(undefined)).to.equal(true);
    expect(isPermanentFailure('service temporarily unavailable, try again')).to.equal(false);
  });
});
