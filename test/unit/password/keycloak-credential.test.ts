import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { argon2id } from 'hash-wasm';
import { verifyPassword } from '../../../tools/emulator/password-verifier.js';
import { keycloakOtpSecret } from '../../../src/mfa/keycloak-otp-secret.js';
import type { PasswordHashInfo, RecognizedHash } from '../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';
import { totpCode } from '../../../tools/totp.js';

/*
 * Keycloak's credential rows, laid out as keycloak/keycloak writes them: PasswordSecretData /
 * PasswordCredentialData / OTPSecretData / OTPCredentialData (server-spi, models/credential/dto),
 * hashed as Pbkdf2PasswordHashProvider (server-spi-private, credential/hash) does: PBEKeySpec
 * over the password padded with NUL to 14 characters, DEFAULT_DERIVED_KEY_SIZE 512 bits,
 * standard base64 of the key and of a 16-byte salt.
 */
const PASSWORD = 'Kc-Short-1'; // under 14 characters: Keycloak pads it
const padded = (p: string): string => (p.length < 14 ? p + '\0'.repeat(14 - p.length) : p);

function keycloakPbkdf2(algorithm: 'pbkdf2' | 'pbkdf2-sha256' | 'pbkdf2-sha512', iterations: number, password = PASSWORD): { secret: string; credential: string } {
  const salt = randomBytes(16);
  const digest = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' }[algorithm];
  const value = pbkdf2Sync(padded(password), salt, iterations, 64, digest).toString('base64');
  return {
    secret: JSON.stringify({ value, salt: salt.toString('base64'), additionalParameters: {} }),
    credential: JSON.stringify({ hashIterations: iterations, algorithm, additionalParameters: {} }),
  };
}

function info(r: RecognizedHash): PasswordHashInfo {
  if (!r.ok) throw new Error(`not recognised: ${r.reason}`);
  return r.info;
}

describe('Keycloak credentials (#11, #20)', () => {
  it('reads pbkdf2-sha256 as PBKDF2_SHA256 with keylen 64, and the emulator logs in with the unpadded password', async () => {
    const kc = keycloakPbkdf2('pbkdf2-sha256', 27_500);
    const i = info(recognizePasswordHash(kc.secret, { parameters: kc.credential }));
    expect(i.algorithmTypeId).to.equal('PBKDF2_SHA256');
    expect(i.hData).to.deep.include({ iterations: '27500', keylen: '64' });
    expect(i.hData!.salt).to.equal(JSON.parse(kc.secret).salt);
    expect((await verifyPassword(i, PASSWORD)).ok).to.equal(true);
    expect((await verifyPassword(i, 'Kc-Short-2')).ok).to.equal(false);
  });

  it('reads pbkdf2-sha512 as PBKDF2_SHA512 without keylen, and pbkdf2 as PBKDF2_SHA1 with keylen 64', async () => {
    const sha512 = keycloakPbkdf2('pbkdf2-sha512', 2_100, 'a long password of 30 chars!!!');
    const i512 = info(recognizePasswordHash(sha512.secret, { parameters: sha512.credential }));
    expect(i512.algorithmTypeId).to.equal('PBKDF2_SHA512');
    expect(i512.hData).to.not.have.property('keylen');
    expect((await verifyPassword(i512, 'a long password of 30 chars!!!')).ok).to.equal(true);
    const sha1 = keycloakPbkdf2('pbkdf2', 1_000);
    const i1 = info(recognizePasswordHash(sha1.secret, { parameters: Buffer.from(sha1.credential) }));
    expect(i1).to.deep.include({ algorithmTypeId: 'PBKDF2_SHA1' });
    expect(i1.hData?.keylen).to.equal('64');
    expect((await verifyPassword(i1, PASSWORD)).ok).to.equal(true);
  });

  it('rebuilds a Keycloak 24+ argon2 credential as the PHC string ARGON2 takes', async () => {
    const salt = randomBytes(16);
    const hash = await argon2id({ password: PASSWORD, salt, iterations: 3, memorySize: 1024, parallelism: 1, hashLength: 32, outputType: 'binary' });
    const secret = JSON.stringify({ value: Buffer.from(hash).toString('base64'), salt: salt.toString('base64'), algorithmData: {} });
    const credential = JSON.stringify({ hashIterations: 3, algorithm: 'argon2', algorithmData: { type: ['id'], version: ['1.3'], hashLength: ['32'], memory: ['1024'], parallelism: ['1'] } });
    const i = info(recognizePasswordHash(secret, { parameters: credential }));
    expect(i.algorithmTypeId).to.equal('ARGON2');
    expect(i.passwordHash).to.match(/^\$argon2id\$v=19\$m=1024,t=3,p=1\$/);
    expect((await verifyPassword(i, PASSWORD)).ok).to.equal(true);
    expect((await verifyPassword(i, 'wrong')).ok).to.equal(false);
  });

  it('says what to configure without credential_data, refuses an unknown algorithm, and never echoes the hash', () => {
    const kc = keycloakPbkdf2('pbkdf2-sha256', 27_500);
    const none = recognizePasswordHash(kc.secret);
    expect(none.ok).to.equal(false);
    expect(!none.ok && none.reason).to.include('password.parameters: credential_data');
    const other = recognizePasswordHash(kc.secret, { parameters: JSON.stringify({ hashIterations: 1, algorithm: 'bcrypt' }) });
    expect(!other.ok && other.reason).to.include('"bcrypt"').and.not.include(JSON.parse(kc.secret).value);
    // Not this format: an LDAP hash also starts with "{", and is recognised as LDAP, not as Keycloak.
    const ldap = recognizePasswordHash('{SSHA}' + Buffer.alloc(24, 3).toString('base64'));
    expect(JSON.stringify(ldap)).to.include('CUSTOM_LDAP_SSHA').and.not.include('PBKDF2');
  });

  it('reads an OTP secret as the text Keycloak keeps: its UTF-8 bytes are the key (RFC 6238 vector)', () => {
    // RFC 6238 appendix B: the key is the ASCII text "12345678901234567890"; at T = 59 s the
    // SHA-1 code is 94287082, whose last 6 digits a 6-digit authenticator shows.
    const r = keycloakOtpSecret('{"value":"12345678901234567890"}', '{"subType":"totp","digits":6,"counter":0,"period":30,"algorithm":"HmacSHA1"}');
    expect(r).to.deep.equal({ ok: true, base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' });
    expect(totpCode((r as { base32: string }).base32, 59_000)).to.equal('287082');
    const b32 = keycloakOtpSecret('{"value":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}', '{"subType":"totp","digits":6,"period":30,"algorithm":"HmacSHA1","secretEncoding":"BASE32"}');
    expect(b32).to.deep.equal(r);
  });

  it('refuses HOTP devices and TOTP policies the migrated TOTP cannot keep', () => {
    const secret = '{"value":"abcdefghijKLMNOPQRST"}';
    const hotp = keycloakOtpSecret(secret, '{"subType":"hotp","digits":6,"counter":3,"period":0,"algorithm":"HmacSHA1"}');
    expect(!hotp.ok && hotp.reason).to.include('only TOTP');
    const eight = keycloakOtpSecret(secret, '{"subType":"totp","digits":8,"period":30,"algorithm":"HmacSHA256"}');
    expect(!eight.ok && eight.reason).to.include('enrol again').and.not.include('abcdefghij');
    const missing = keycloakOtpSecret(secret, null);
    expect(!missing.ok && missing.reason).to.include('mfa.parameters: credential_data');
  });
});
