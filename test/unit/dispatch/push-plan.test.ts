import { expect } from 'chai';
import type { CidaasUser } from '../../../src/cidaas/cidaas-user.js';
import { finalEntity, type EntityGroups } from '../../../src/dispatch/final-entity.js';
import { NO_PASSWORD_FP, planPush, REVOKED_PASSWORD_FP, userToSend, type OnRevoked } from '../../../src/dispatch/push-plan.js';
import { FingerprintKey } from '../../../src/digest/fingerprint-key.js';
import { Secret } from '../../../src/secret.js';
import type { UserState } from '../../../src/state/state-store.js';
import type { OwnedFields } from '../../../src/verify/owned-fields.js';

const OWN_ALL: OwnedFields = { fields: ['email', 'given_name'], customFields: [], password: true, mfa: true };
const OWN_NONE: OwnedFields = { fields: ['email'], customFields: [], password: false, mfa: false };
const BCRYPT = { algorithmTypeId: 'BCRYPT_10', passwordHash: new Secret('$2y$10$' + 'a'.repeat(53)) };
const KEY = FingerprintKey.generate();
const TOTP = { totp: { secret: new Secret('JBSWY3DPEHPK3PXP'), algorithm: 'SHA1' as const, digits: 6, period: 30 } };

function mapped(u: Partial<CidaasUser>, owned = OWN_ALL): { user: CidaasUser; groups: EntityGroups } {
  const f = finalEntity({ sub: 's-1', email: 'a@example.com', ...u } as never, owned);
  return { user: f.entity as unknown as CidaasUser, groups: f.groups };
}

function stateAfter(plan: ReturnType<typeof planPush>): UserState {
  return { key: '1', sub: 's-1', fingerprints: plan.fingerprints, lastPushAt: new Date(0), deleted: false };
}

function push(u: Partial<CidaasUser>, state: UserState | undefined, onRevoked: OnRevoked = 'scramble', owned = OWN_ALL): ReturnType<typeof planPush> {
  const m = mapped(u, owned);
  return planPush(m.user, m.groups, state, { onRevoked, fingerprintKey: KEY });
}

describe('what a mapped user is: finalEntity (#20)', () => {
  it('says set / cleared / not owned per group', () => {
    expect(mapped({ password_hash_info: BCRYPT, mfa: TOTP }).groups).to.include({ password: 'set', mfa: 'set', email: 'set' });
    expect(mapped({}).groups).to.include({ password: 'cleared', mfa: 'cleared' });
    expect(mapped({}, OWN_NONE).groups).to.include({ password: 'not-owned', mfa: 'not-owned' });
  });

  it('clears the TOTP whichever way MFA was removed: no device, mfa dropped, mfa_enabled false', () => {
    for (const u of [{ mfa: {} }, {}, { mfa: TOTP, mfa_enabled: false }] as Partial<CidaasUser>[]) {
      const m = mapped(u);
      expect(m.groups.mfa).to.equal('cleared');
      expect(m.user.mfa).to.deep.equal({});
      expect(m.user.mfa_enabled).to.equal(false);
    }
  });

  it('counts a mapping module that says anything about MFA as owning it (WordPress: mfa_enabled false)', () => {
    const m = mapped({ mfa_enabled: false }, OWN_NONE);
    expect(m.groups.mfa).to.equal('cleared');
    expect(m.user.mfa).to.deep.equal({});
  });

  it('sends an owned name missing from the entity as "" so it does not linger in cidaas', () => {
    expect((mapped({}).user as unknown as Record<string, unknown>)['given_name']).to.equal('');
  });
});

describe('the per-user push plan (#20)', () => {
  it('creates a user whose password was never usable without one: nothing to revoke', () => {
    const p = push({}, undefined);
    expect(p.revoke).to.equal(null);
    expect(p.fingerprints.password).to.equal(NO_PASSWORD_FP);
    expect(userToSend(p, false).password_hash_info).to.equal(undefined);
  });

  it('scrambles a pushed password that became unusable, once', () => {
    const first = push({ password_hash_info: BCRYPT }, undefined);
    const revoked = push({}, stateAfter(first));
    expect(revoked.revoke).to.equal('scramble');
    expect(revoked.changed).to.include('password');
    const sent = userToSend(revoked, true);
    expect(sent.password_hash_info?.algorithmTypeId).to.equal('PBKDF2_SHA256');
    expect(sent.password_hash_info?.passwordHash.reveal()).to.not.equal(BCRYPT.passwordHash.reveal());
    // Two scrambles never share a hash (nothing is stored that could match).
    expect(userToSend(revoked, true).password_hash_info?.passwordHash.reveal()).to.not.equal(sent.password_hash_info?.passwordHash.reveal());
    const again = push({}, stateAfter(revoked));
    expect(again.revoke).to.equal(null);
    expect(again.changed).to.deep.equal([]);
  });

  it('revokes when a mapping module stops returning password_hash_info, even owning nothing in YAML', () => {
    const first = push({ password_hash_info: BCRYPT }, undefined, 'scramble', OWN_NONE);
    const p = push({}, stateAfter(first), 'scramble', OWN_NONE);
    expect(p.groups.password).to.equal('cleared');
    expect(p.revoke).to.equal('scramble');
  });

  it('locks with onRevoked: lock, keeps it locked while revoked, and unlocks when a password returns', () => {
    const first = push({ password_hash_info: BCRYPT, userStatus: 'VERIFIED' }, undefined, 'lock');
    const locked = push({ userStatus: 'VERIFIED' }, stateAfter(first), 'lock');
    expect(locked.revoke).to.equal('lock');
    expect(userToSend(locked, true).userStatus).to.equal('LOCKED');
    expect(userToSend(locked, true).password_hash_info).to.equal(undefined);
    const still = push({ userStatus: 'VERIFIED' }, stateAfter(locked), 'lock');
    expect(still.changed).to.deep.equal([]);
    expect(still.expected.userStatus).to.equal('LOCKED');
    const back = push({ password_hash_info: BCRYPT }, stateAfter(locked), 'lock');
    expect(back.expected.userStatus).to.equal('VERIFIED');
    expect(userToSend(back, true).password_hash_info).to.not.equal(undefined);
  });

  it('keep leaves cidaas alone but records the revocation', () => {
    const first = push({ password_hash_info: BCRYPT }, undefined, 'keep');
    const p = push({}, stateAfter(first), 'keep');
    expect(p.revoke).to.equal('keep');
    expect(userToSend(p, true).password_hash_info).to.equal(undefined);
    expect(p.fingerprints.password).to.equal(REVOKED_PASSWORD_FP);
  });

  it('never gives a user without a known pushed password a scrambled one', () => {
    const m = mapped({});
    const p = planPush(m.user, m.groups, undefined, { onRevoked: 'scramble', fingerprintKey: KEY });
    expect(p.revoke).to.equal(null);
    expect(userToSend(p, false).password_hash_info).to.equal(undefined);
  });

  it('clears an MFA group the mapping stopped mentioning when it was pushed before', () => {
    const first = push({ mfa: TOTP }, undefined, 'scramble', OWN_NONE);
    const p = push({}, stateAfter(first), 'scramble', OWN_NONE);
    expect(p.groups.mfa).to.equal('cleared');
    expect(p.changed).to.include('mfa');
    expect(userToSend(p, true).mfa).to.deep.equal({});
    expect(userToSend(p, true).mfa_enabled).to.equal(false);
  });

  it('sends an unchanged password and MFA not at all', () => {
    const first = push({ password_hash_info: BCRYPT, mfa: TOTP }, undefined);
    const p = push({ password_hash_info: BCRYPT, mfa: TOTP, given_name: 'New' }, stateAfter(first));
    expect(p.changed).to.deep.equal(['profile']);
    const sent = userToSend(p, true);
    expect(sent.password_hash_info).to.equal(undefined);
    expect(sent.mfa).to.equal(undefined);
  });
});

describe('a TOTP no mapping owns any more, taken away in the tenant\'s own way (cidaas.compat.totpRemoval)', () => {
  it('sends the shape totpOffFields decided, not a fixed mfa: {}', () => {
    const before = push({ mfa: TOTP, mfa_enabled: true }, undefined);
    const m = mapped({}, OWN_NONE);
    for (const [totpOff, wanted] of [[{ mfa: {} }, {}], [{ mfa: { totp: null } }, { totp: null }], [{}, undefined]] as const) {
      const plan = planPush(m.user, m.groups, stateAfter(before), { onRevoked: 'scramble', fingerprintKey: KEY, totpOff });
      expect(plan.groups.mfa).to.equal('cleared');
      const sent = userToSend(plan, true);
      expect(sent.mfa, JSON.stringify(totpOff)).to.deep.equal(wanted);
      expect(sent.mfa_enabled).to.equal(false);
    }
  });
});
