import { expect } from 'chai';
import { applyCompat, DEFAULT_COMPAT, mustReenrolTotp } from '../../src/cidaas/cidaas-compat.js';
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
});
