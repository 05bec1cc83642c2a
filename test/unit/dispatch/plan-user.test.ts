import { expect } from 'chai';
import type { CidaasUser } from '../../../src/cidaas/cidaas-user.js';
import { confirmedEvents, plannedEvents } from '../../../src/dispatch/domain-events.js';
import { planUser, type UserPlanInput } from '../../../src/dispatch/plan-user.js';
import { FingerprintKey } from '../../../src/digest/fingerprint-key.js';
import { planPush } from '../../../src/dispatch/push-plan.js';
import { RetrySchedule } from '../../../src/dispatch/retry-schedule.js';
import type { UserState } from '../../../src/state/state-store.js';
import type { MappedUser } from '../../../src/user-mapper.js';

const KEY = FingerprintKey.generate();
const USER: CidaasUser = { sub: 'legacy-1', email: 'a@example.com', given_name: 'Ada' };
const GROUPS = { profile: 'set', email: 'set', password: 'not-owned', mfa: 'not-owned', customFields: 'not-owned' } as const;
const UPSERT: MappedUser = { kind: 'upsert', sub: 'legacy-1', user: USER, groups: GROUPS as never };
const DELETE: MappedUser = { kind: 'delete', sub: 'legacy-1', reason: 'gone' };

function pushed(user: CidaasUser = USER): UserState {
  return { key: '1', sub: 'legacy-1', fingerprints: planPush(user, GROUPS as never, undefined, { onRevoked: 'scramble', fingerprintKey: KEY }).fingerprints, lastPushAt: new Date(0), deleted: false };
}
const TOMBSTONE: UserState = { key: '1', sub: 'legacy-1', fingerprints: {}, lastPushAt: new Date(0), deleted: true };

function plan(more: Partial<UserPlanInput>): ReturnType<typeof planUser> {
  return planUser({ key: '1', mapped: UPSERT, state: undefined, deadLettered: false, force: false, rootDeleted: false, mode: 'stream', onDelete: 'purge', onRevoked: 'scramble', fingerprintKey: KEY, ...more });
}

describe('the per-user push plan of the dispatcher (#17)', () => {
  it('creates a user never pushed, suppresses one pushed the same, updates one changed', () => {
    expect(plan({})).to.include({ kind: 'upsert', recreate: false }).and.to.have.deep.property('events', ['user.created']);
    expect(plan({ state: pushed() })).to.deep.equal({ kind: 'suppress' });
    const changed = plan({ state: pushed({ ...USER, email: 'old@example.com' }) });
    expect(changed).to.have.deep.property('events', ['user.updated', 'email.changed']);
  });

  it('pushes an unchanged user when forced or when it is in the dead-letter list', () => {
    expect(plan({ state: pushed(), force: true }).kind).to.equal('upsert');
    expect(plan({ state: pushed(), deadLettered: true }).kind).to.equal('upsert');
  });

  it('recreates a user whose deleted key is used again, and only when it was pushed', () => {
    expect(plan({ state: pushed(), rootDeleted: true })).to.include({ kind: 'upsert', recreate: true });
    expect(plan({ rootDeleted: true })).to.include({ kind: 'upsert', recreate: false });
  });

  it('follows the delete policy: purge / lock / ignore x backfill / stream x tombstone', () => {
    const d = (more: Partial<UserPlanInput>): string => plan({ mapped: DELETE, ...more }).kind;
    expect(d({ state: pushed() })).to.equal('delete');
    expect(d({ state: pushed(), onDelete: 'lock' })).to.equal('delete');
    expect(d({ state: pushed(), onDelete: 'ignore' })).to.equal('none');
    // Never pushed: the stream purges (a push may have been lost in a kill), the backfill does not.
    expect(d({})).to.equal('delete');
    expect(d({ mode: 'backfill' })).to.equal('none');
    expect(d({ onDelete: 'lock' })).to.equal('none');
    // A stored delete is trusted unless forced.
    expect(d({ state: TOMBSTONE })).to.equal('none');
    expect(d({ state: TOMBSTONE, force: true })).to.equal('delete');
  });

  it('dead-letters an invalid user, and a key too long for the state store under a short stand-in', () => {
    expect(plan({ mapped: { kind: 'invalid', sub: 'legacy-1', reason: 'no email' } })).to.deep.equal({ kind: 'dead-letter', key: '1', reason: 'no email' });
    const long = plan({ key: 'k'.repeat(300) });
    expect(long.kind).to.equal('dead-letter');
    expect(long.kind === 'dead-letter' && long.key.length).to.be.at.most(255);
    expect(plan({ key: 'k'.repeat(300), mapped: { kind: 'skip', sub: 'x' } })).to.deep.equal({ kind: 'none', why: 'skipped' });
  });
});

describe('domain events, derived once (#17)', () => {
  it('plans user.created or user.updated with one event per changed group, and the revocation', () => {
    expect(plannedEvents(false, ['email'], null)).to.deep.equal(['user.created']);
    expect(plannedEvents(true, ['profile', 'password', 'mfa'], 'lock')).to.deep.equal(['user.updated', 'password.changed', 'mfa.changed', 'password.revoked']);
  });

  it('lets cidaas judge created vs updated', () => {
    expect(confirmedEvents(['user.updated', 'email.changed'], 'CREATED')).to.deep.equal(['user.created']);
    expect(confirmedEvents(['user.created', 'password.revoked'], 'UPDATED')).to.deep.equal(['user.updated', 'password.revoked']);
  });
});

describe('the retry schedule (#17)', () => {
  it('doubles the stale-read delay up to 5 s and gives up once readRetryMaxMs is spent', () => {
    const s = new RetrySchedule({ readRetryMs: 100, readRetryMaxMs: 10_000 });
    expect([0, 1, 2, 6].map((a) => s.staleRead(a))).to.deep.equal([100, 200, 400, 5000]);
    // 100+200+400+800+1600+3200 = 6300 spent; +5000 = 11300 >= 10000 after seven attempts.
    expect(s.staleRead(6)).to.equal(5000);
    expect(s.staleRead(7)).to.equal(null);
  });

  it('backs off transient failures from 250 ms (reads) and 1 s (pushes) up to 30 s', () => {
    const s = new RetrySchedule({ readRetryMs: 100, readRetryMaxMs: 1000 });
    expect([0, 3, 20].map((a) => s.readFailed(a))).to.deep.equal([250, 2000, 30_000]);
    expect([0, 3, 20].map((a) => s.pushFailed(a))).to.deep.equal([1000, 8000, 30_000]);
  });
});
