import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { assertFingerprints, isPlausibleDigest } from '../../../src/state/fingerprint-guard.js';

const sha256 = createHash('sha256').update('x').digest();

describe('fingerprint guard', function () {
  it('accepts hex and base64 digests of 16 to 64 bytes', function () {
    for (const algo of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
      const d = createHash(algo).update('x').digest();
      expect(isPlausibleDigest(d.toString('hex')), `${algo} hex`).to.equal(true);
      expect(isPlausibleDigest(d.toString('hex').toUpperCase()), `${algo} HEX`).to.equal(true);
      expect(isPlausibleDigest(d.toString('base64')), `${algo} base64`).to.equal(true);
      expect(isPlausibleDigest(d.toString('base64url')), `${algo} base64url`).to.equal(true);
    }
  });

  it('refuses secrets and values that are not digests', function () {
    const refused = [
      '',
      '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', // bcrypt
      'pbkdf2_sha256$600000$salt$aGFzaA==', // Django
      'JBSWY3DPEHPK3PXP', // base32 TOTP secret, 10 bytes
      'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', // base32 TOTP secret, 20 bytes
      'alice@example.com',
      'correct horse battery staple',
      sha256.toString('hex').slice(1), // 63 hex characters
      `${sha256.toString('base64')}=`, // wrong padding
      sha256.toString('hex') + sha256.toString('hex') + 'ab', // 130 characters
    ];
    for (const value of refused) expect(isPlausibleDigest(value), value).to.equal(false);
  });

  it('names the user and field of a refused fingerprint but never its value', function () {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    let failure: unknown;
    try {
      assertFingerprints('42', { profile: sha256.toString('hex'), mfa: secret });
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(SyncError);
    const err = failure as SyncError;
    expect(err.code).to.equal('STATE_STORE');
    expect(err.message).to.contain('mfa fingerprint of user "42"');
    expect(err.describe()).not.to.contain(secret);
  });

  it('lets absent field groups through', function () {
    expect(() => assertFingerprints('1', {})).not.to.throw();
  });
});
