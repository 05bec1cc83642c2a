import { expect } from 'chai';
import { applyCompat, DEFAULT_COMPAT, keepsRemovedTotp, mustReenrolTotp, strandedTotp } from '../../src/cidaas/cidaas-compat.js';
import { userToWire } from '../../src/cidaas/cidaas-user.js';
import { fingerprintUser } from '../../src/digest/fingerprints.js';
import { FingerprintKey } from '../../src/digest/fingerprint-key.js';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';
import { Secret } from '../../src/secret.js';

function pbkdf2User(saltBytes: Buffer, algorithmTypeId = 'PBKDF2_SHA256'): CidaasUser {
  return {
    sub: 'u1', email: 'u1@example.com',
    password_hash_info: { algorithmTypeId, passwordHash: new Secret('aGFzaA=='), hData: { salt: saltBytes.toString('base64'), iterations: '1000' } },
  };
}

describe('cidaas.compat: what a setting means for the entity (#12)', () => {
  it('leaves the entity as the mapper built it with the defaults', () => {
    const user: CidaasUser = { ...pbkdf2User(Buffer.from('seasalt')), mfa_enabled: true, mfa: { totp: { secret: new Secret('JBSWY3DPEHPK3PXP') } } };
    const r = applyCompat(user, DEFAULT_COMPAT);
    expect(r).to.deep.equal({ ok: true, user, mustReenrolTotp: false });
  });

  it('saltEncoding text: sends the salt as its UTF-8 text', () => {
    const r = applyCompat(pbkdf2User(Buffer.from('Sälz', 'utf8')), { ...DEFAULT_COMPAT, saltEncoding: 'text' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.user.password_hash_info?.hData).to.deep.equal({ salt: 'Sälz', iterations: '1000' });
  });

  it('saltEncoding text: a salt that is not UTF-8 makes the user invalid with the reason', () => {
    const r = applyCompat(pbkdf2User(Buffer.from([0xff, 0xfe, 0x00, 0x80])), { ...DEFAULT_COMPAT, saltEncoding: 'text' });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.reason).to.match(/not valid UTF-8.*saltEncoding is text/);
  });

  it('saltEncoding text: leaves a CUSTOM_ salt as the legacy database holds it', () => {
    const user = pbkdf2User(Buffer.from([0xff]), 'CUSTOM_LEGACY');
    const r = applyCompat(user, { ...DEFAULT_COMPAT, saltEncoding: 'text' });
    expect(r.ok && r.user).to.equal(user);
  });

  it('totpImport flag-only: sends mfa_enabled alone and marks the user to enrol again', () => {
    const user: CidaasUser = { sub: 'u2', email: 'u2@example.com', mfa_enabled: true, mfa: { totp: { secret: new Secret('JBSWY3DPEHPK3PXP') } } };
    const compat = { ...DEFAULT_COMPAT, totpImport: 'flag-only' as const };
    const r = applyCompat(user, compat);
    if (!r.ok) throw new Error(r.reason);
    expect(r.user).to.deep.equal({ sub: 'u2', email: 'u2@example.com', mfa_enabled: true });
    expect(r.mustReenrolTotp).to.equal(true);
    expect(mustReenrolTotp(r.user, compat)).to.equal(true);
    const none = applyCompat({ sub: 'u3', email: 'u3@example.com', mfa_enabled: false, mfa: {} }, compat);
    expect(none.ok && none.user).to.deep.equal({ sub: 'u3', email: 'u3@example.com', mfa_enabled: false });
    expect(none.ok && none.mustReenrolTotp).to.equal(false);
  });

  describe('totpRemoval: how a seed removed in legacy is removed in cidaas', () => {
    const off: CidaasUser = { sub: 'u4', email: 'u4@example.com', mfa_enabled: false, mfa: {} };
    const on: CidaasUser = { sub: 'u5', email: 'u5@example.com', mfa_enabled: true, mfa: { totp: { secret: new Secret('JBSWY3DPEHPK3PXP') } } };
    const wireOf = (totpRemoval: 'empty' | 'null' | 'unsupported', user: CidaasUser): Record<string, unknown> => {
      const r = applyCompat(user, { ...DEFAULT_COMPAT, totpRemoval });
      if (!r.ok) throw new Error(r.reason);
      return userToWire(r.user);
    };

    it('empty (the default) sends mfa: {}', () => {
      expect(wireOf('empty', off)).to.deep.equal({ sub: 'u4', email: 'u4@example.com', mfa_enabled: false, mfa: {} });
      const r = applyCompat(off, { ...DEFAULT_COMPAT, totpRemoval: undefined });
      expect(r.ok && userToWire(r.user)['mfa']).to.deep.equal({});
    });

    it('null sends mfa: {"totp": null}', () => {
      expect(wireOf('null', off)).to.deep.equal({ sub: 'u4', email: 'u4@example.com', mfa_enabled: false, mfa: { totp: null } });
    });

    it('unsupported sends mfa_enabled: false and no mfa', () => {
      expect(wireOf('unsupported', off)).to.deep.equal({ sub: 'u4', email: 'u4@example.com', mfa_enabled: false });
    });

    it('leaves a user with a seed as it is, whichever the setting', () => {
      for (const how of ['empty', 'null', 'unsupported'] as const) {
        expect(wireOf(how, on)['mfa'], how).to.deep.equal({ totp: { secret: 'JBSWY3DPEHPK3PXP', algorithm: 'SHA1', digits: 6, period: 30 } });
      }
    });

    it('is not applied with totpImport flag-only (no mfa is sent at all)', () => {
      const r = applyCompat(off, { ...DEFAULT_COMPAT, totpImport: 'flag-only', totpRemoval: 'null' });
      expect(r.ok && r.user).to.deep.equal({ sub: 'u4', email: 'u4@example.com', mfa_enabled: false });
      expect(keepsRemovedTotp({ ...DEFAULT_COMPAT, totpImport: 'flag-only', totpRemoval: 'unsupported' })).to.equal(false);
      expect(keepsRemovedTotp({ ...DEFAULT_COMPAT, totpRemoval: 'unsupported' })).to.equal(true);
      expect(keepsRemovedTotp(DEFAULT_COMPAT)).to.equal(false);
    });

    it('gives the same MFA fingerprint for every removal shape, so switching the setting re-pushes nobody', () => {
      const key = FingerprintKey.generate();
      const fps = (['empty', 'null', 'unsupported'] as const).map((how) => {
        const r = applyCompat(off, { ...DEFAULT_COMPAT, totpRemoval: how });
        if (!r.ok) throw new Error(r.reason);
        return fingerprintUser(r.user, key).mfa;
      });
      expect(fps[0]).to.be.a('string');
      expect(new Set(fps).size).to.equal(1);
    });

    it('strandedTotp: a read-back with a seed for a user legacy says has none', () => {
      for (const how of ['empty', 'null', 'unsupported'] as const) {
        const r = applyCompat(off, { ...DEFAULT_COMPAT, totpRemoval: how });
        if (!r.ok) throw new Error(r.reason);
        expect(strandedTotp(r.user, { mfa: { totp: { enrolled: true } } }), how).to.equal(true);
        expect(strandedTotp(r.user, { mfa: { totp: { enrolled: false } } }), how).to.equal(false);
      }
      expect(strandedTotp(on, { mfa: { totp: { enrolled: true } } })).to.equal(false);
    });
  });
});
