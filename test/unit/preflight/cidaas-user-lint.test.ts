import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { CidaasUser } from '../../../src/cidaas/cidaas-user.js';
import { lintCidaasUser } from '../../../src/preflight/cidaas-user-lint.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';
import { Secret } from '../../../src/secret.js';
import { argon2Hash, aspNetV3, bcryptHash, djangoPbkdf2, passlibPbkdf2 } from '../password/hash-fixtures.js';

function withHash(hash: string): CidaasUser {
  const r = recognizePasswordHash(hash);
  if (!r.ok) throw new Error(r.reason);
  return { sub: 'u-1', email: 'a@example.com', password_hash_info: { ...r.info, passwordHash: new Secret(r.info.passwordHash) } };
}

describe('lintCidaasUser (what preview and check report)', () => {
  it('finds nothing wrong with a well-formed user', () => {
    expect(lintCidaasUser({
      sub: 'u-1', email: 'a@example.com', mobile_number: '+4915112345678', birthdate: '1990-02-28', createdTime: '2020-01-01T00:00:00Z',
      userStatus: 'VERIFIED', mfa_enabled: true, mfa: { totp: { secret: new Secret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP') } },
    })).to.deep.equal([]);
  });

  it('accepts every hash format the mapper recognises, as it hands them to cidaas', async () => {
    const hashes = [bcryptHash(), djangoPbkdf2('sha256'), djangoPbkdf2('sha1'), passlibPbkdf2('sha256'), aspNetV3(1).hash, await argon2Hash('id'),
      createHash('sha256').update('x').digest('hex')];
    for (const h of hashes) expect(lintCidaasUser(withHash(h)), h.slice(0, 12)).to.deep.equal([]);
  });

  it('names each field cidaas would refuse', () => {
    const fields = lintCidaasUser({
      sub: 'u-1', email: 'no-at-sign', mobile_number: '0151 123', birthdate: '1990-02-30', lastLoggedInTime: 'yesterday',
      userStatus: 'ACTIVE' as CidaasUser['userStatus'],
      password_hash_info: { algorithmTypeId: 'MD5', passwordHash: new Secret('5f4dcc3b5aa765d61d8327deb882cf99') },
      mfa: { totp: { secret: new Secret('jbswy3dp'), digits: 7 } },
    }).map((f) => f.field);
    expect(fields).to.deep.equal(['email', 'mobile_number', 'birthdate', 'lastLoggedInTime', 'userStatus', 'password_hash_info', 'mfa', 'mfa']);
  });

  it('reports a missing identifier and a hash that does not fit its algorithm, never the hash itself', () => {
    const hash = '$2b$10$abcdefghijklmnopqrstuv';
    const findings = lintCidaasUser({ sub: 'u-1', password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: new Secret(hash) } });
    expect(findings.map((f) => f.field)).to.deep.equal(['user', 'password_hash_info']);
    expect(JSON.stringify(findings)).not.to.include('abcdefghijklmnopqrstuv');
  });
});
