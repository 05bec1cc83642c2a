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
    const read = readProcessStates(body, users);
    if (typeof read === 'string') throw new Error(read);
    expect(read.outcomes).to.deep.equal([
      { sub: 'a', status: 'CREATED', permanent: false },
      { sub: 'b', status: 'FAILED', message: 'email already exists', permanent: true },
      { sub: 'c', status: 'UPDATED', permanent: false },
    ]);
    expect(read.shape).to.deep.equal({ envelope: 'data', stateField: 'status', order: 'input' });
  });

  const people: CidaasUser[] = [
    { sub: 'p1', email: 'One@example.com' }, { sub: 'p2', username: 'two' }, { sub: 'p3', mobile_number: '+4915100000003' }, { sub: 'p4', email: 'four@example.com' },
  ];

  it('reads a bare answer and matches a shuffled one by sub, then email, username and mobile (#12)', () => {
    const body = { process_states: [
      { sub: 'ANONYMOUS', identifier: { mobile_number: '+4915100000003' }, state: 'FAILED', message: 'invalid mobile' },
      { sub: 'p4', identifier: { email: 'four@example.com' }, state: 'UPDATED' },
      { sub: 'ANONYMOUS', identifier: { email: 'one@example.com' }, state: 'FAILED', message: 'email already exists' },
      { sub: 'ANONYMOUS', identifier: { username: 'two' }, state: 'FAILED', message: 'bad username' },
    ] };
    const read = readProcessStates(body, people);
    if (typeof read === 'string') throw new Error(read);
    expect(read.outcomes.map((o) => [o.sub, o.status, o.message])).to.deep.equal([
      ['p1', 'FAILED', 'email already exists'], ['p2', 'FAILED', 'bad username'], ['p3', 'FAILED', 'invalid mobile'], ['p4', 'UPDATED', undefined],
    ]);
    expect(read.shape).to.deep.equal({ envelope: 'bare', stateField: 'state', order: 'other' });
  });

  it('falls back to position only for an entry at an unmatched position, and fails loudly otherwise (#12)', () => {
    const positional = { process_states: [{ sub: 'p1', process_state: 'CREATED' }, { process_state: 'FAILED' }, { sub: 'p3', process_state: 'CREATED' }, { sub: 'p4', process_state: 'CREATED' }] };
    const ok = readProcessStates(positional, people);
    if (typeof ok === 'string') throw new Error(ok);
    expect(ok.outcomes[1]).to.include({ sub: 'p2', status: 'FAILED' });
    // Entry 0 names p2 by sub, so position 0 (p1) is left with an entry that names nobody at another position.
    const lost = { process_states: [{ sub: 'p2', status: 'CREATED' }, { sub: 'ANONYMOUS', status: 'FAILED' }, { sub: 'p3', status: 'CREATED' }, { sub: 'p4', status: 'CREATED' }] };
    expect(readProcessStates(lost, people)).to.match(/process state 1 matches no user/);
  });

  it('describes a body whose process states do not match the batch', () => {
    expect(readProcessStates({ data: { process_states: [] } }, users)).to.match(/0 process states for 3 users/);
    expect(readProcessStates({ data: {} }, users)).to.match(/no process_states array/);
    expect(readProcessStates({ success: true, status: 200 }, users)).to.match(/no process_states array/);
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
