import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { verifyPassword } from '../../../tools/emulator/password-verifier.js';
import type { PasswordHashInfo, RecognizedHash } from '../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';

/*
 * Spring Security's DelegatingPasswordEncoder values. The two fixed vectors are the ones the
 * class's own documentation gives for the password "password"
 * (spring-security crypto/.../password/DelegatingPasswordEncoder.java, "Password Storage
 * Format"); the {pbkdf2@SpringSecurity_v5_8} one is made as Pbkdf2PasswordEncoder.
 * defaultsForSpringSecurity_v5_8() makes it: hex of a 16-byte salt and PBKDF2-HMAC-SHA256,
 * 310000 iterations, 256 bits, over the salt (the secret is empty).
 */
const SPRING_DOC_BCRYPT = '{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG';
const SPRING_DOC_PBKDF2 = '{pbkdf2}5d923b44a6d129f3ddf3e3c8d29412723dcbde72445e8ef6bf3b508fbf17fa4ed4d6b99ca763d8dc';

function info(r: RecognizedHash): PasswordHashInfo {
  if (!r.ok) throw new Error(`not recognised: ${r.reason}`);
  return r.info;
}

function reason(r: RecognizedHash): string {
  if (r.ok) throw new Error(`recognised as ${r.info.algorithmTypeId}`);
  return r.reason;
}

describe('Spring Security DelegatingPasswordEncoder values (algorithm: auto)', () => {
  it('reads {bcrypt} as the bcrypt hash after the id, and it logs in with the documented password', async () => {
    const i = info(recognizePasswordHash(SPRING_DOC_BCRYPT));
    expect(i.algorithmTypeId).to.equal('BCRYPT_10');
    expect(i.passwordHash).to.equal(SPRING_DOC_BCRYPT.slice('{bcrypt}'.length));
    expect((await verifyPassword(i, 'password')).ok).to.equal(true);
    expect((await verifyPassword(i, 'passwort')).ok).to.equal(false);
  });

  it('reads {pbkdf2} with the v5_5 defaults (SHA-1, 185000 iterations, 8-byte salt, 32-byte key)', async () => {
    const i = info(recognizePasswordHash(SPRING_DOC_PBKDF2));
    expect(i.algorithmTypeId).to.equal('PBKDF2_SHA1');
    expect(i.hData).to.deep.equal({ salt: Buffer.from('5d923b44a6d129f3', 'hex').toString('base64'), iterations: '185000', keylen: '32' });
    expect((await verifyPassword(i, 'password')).ok).to.equal(true);
    expect((await verifyPassword(i, 'passwort')).ok).to.equal(false);
  });

  it('reads {pbkdf2@SpringSecurity_v5_8} with the v5_8 defaults (SHA-256, 310000 iterations, 16-byte salt)', async () => {
    const salt = randomBytes(16);
    const value = `{pbkdf2@SpringSecurity_v5_8}${Buffer.concat([salt, pbkdf2Sync('Spring-5.8', salt, 310_000, 32, 'sha256')]).toString('hex')}`;
    const i = info(recognizePasswordHash(value));
    expect(i.algorithmTypeId).to.equal('PBKDF2_SHA256');
    expect(i.hData).to.deep.equal({ salt: salt.toString('base64'), iterations: '310000' });
    expect((await verifyPassword(i, 'Spring-5.8')).ok).to.equal(true);
    expect((await verifyPassword(i, 'Spring-5.9')).ok).to.equal(false);
  });

  it('reads {argon2} as the PHC string after the id', () => {
    const phc = '$argon2id$v=19$m=16384,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$k7LKZqkhWwfRQhxpPLS9HLSzIZK4WJ7xsy9D1kxMYBs';
    const i = info(recognizePasswordHash(`{argon2@SpringSecurity_v5_8}${phc}`));
    expect(i).to.deep.equal({ algorithmTypeId: 'ARGON2', passwordHash: phc });
  });

  it('refuses {noop} with what to do, and never repeats the plaintext', () => {
    const r = reason(recognizePasswordHash('{noop}Plain-Secret-42'));
    expect(r).to.match(/^Spring Security \{noop\}: a plaintext password/);
    expect(r).to.include('{bcrypt}');
    expect(r).not.to.include('Plain-Secret-42');
  });

  it('refuses a {pbkdf2} value of another length (an encoder with a secret or other sizes) with the reason', () => {
    const r = reason(recognizePasswordHash(`{pbkdf2}${'ab'.repeat(48)}`));
    expect(r).to.include('not 80 hex characters').and.include('defaultsForSpringSecurity_v5_5');
    expect(r).not.to.include('abab');
  });

  it('names the id of the encoders cidaas cannot check ({scrypt}, {sha256}, {SHA-256})', () => {
    for (const id of ['scrypt', 'sha256', 'SHA-256', 'MD5']) {
      expect(reason(recognizePasswordHash(`{${id}}0123456789abcdef`))).to.match(new RegExp(`^Spring Security \\{${id}\\}: `));
    }
  });

  it('leaves an id Spring does not register (and LDAP schemes) to the other formats', () => {
    expect(reason(recognizePasswordHash('{bogus}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG'))).to.match(/^unrecognised/);
    expect(info(recognizePasswordHash('{SSHA}Tdsm+7an6/N0ZkEELBEwwHrEOwtzYWx0MTIzNA==')).algorithmTypeId).to.match(/^CUSTOM_/);
  });
});
