import { createHash, pbkdf2Sync } from 'node:crypto';
import { expect } from 'chai';
import { explicitPasswordHash } from '../../../src/password/explicit-password-hash.js';
import type { PasswordHashInfo, RecognizedHash } from '../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';
import { PASSWORD, SALT_BYTES, argon2Hash, aspNetV3, bcryptHash, djangoPbkdf2, passlibPbkdf2, pbkdf2Verifies } from './hash-fixtures.js';

function info(result: RecognizedHash): PasswordHashInfo {
  if (!result.ok) throw new Error(`expected the hash to be accepted, got: ${result.reason}`);
  return result.info;
}

function reason(result: RecognizedHash): string {
  if (result.ok) throw new Error(`expected a refusal, got ${result.info.algorithmTypeId}`);
  return result.reason;
}

describe('explicitPasswordHash', () => {
  const bcrypt4 = bcryptHash(4);

  describe('auto', () => {
    it('delegates to recognizePasswordHash', () => {
      const hash = djangoPbkdf2('sha256');
      expect(explicitPasswordHash(hash, 'auto')).to.deep.equal(recognizePasswordHash(hash));
    });
  });

  describe('BCRYPT_<n>', () => {
    it('accepts a bcrypt hash of the configured cost as is', () => {
      expect(info(explicitPasswordHash(bcrypt4, 'BCRYPT_4'))).to.deep.equal({ algorithmTypeId: 'BCRYPT_4', passwordHash: bcrypt4 });
    });

    it('matches the algorithm name case-insensitively', () => {
      expect(info(explicitPasswordHash(bcrypt4, 'bcrypt_4')).algorithmTypeId).to.equal('BCRYPT_4');
    });

    it('takes the cost from the hash when the algorithm is plain BCRYPT', () => {
      const hash = bcrypt4.replace('$04$', '$11$');
      expect(info(explicitPasswordHash(hash, 'BCRYPT')).algorithmTypeId).to.equal('BCRYPT_11');
    });

    it('refuses a hash whose cost differs from the configured one', () => {
      expect(reason(explicitPasswordHash(bcrypt4, 'BCRYPT_10'))).to.equal('bcrypt hash has cost 4 but the configured algorithm is BCRYPT_10');
    });

    it('refuses a configured cost outside 4..20', () => {
      expect(reason(explicitPasswordHash(bcrypt4, 'BCRYPT_21'))).to.match(/BCRYPT_21.*BCRYPT_4\.\.BCRYPT_20/);
    });

    it('refuses an argon2 hash naming its prefix', async () => {
      expect(reason(explicitPasswordHash(await argon2Hash('id'), 'BCRYPT_10'))).to.include('prefix "$argon2id$"');
    });

    it("unwraps Django's bcrypt$ prefix", () => {
      expect(info(explicitPasswordHash(`bcrypt$${bcrypt4}`, 'BCRYPT_4')).passwordHash).to.equal(bcrypt4);
    });
  });

  describe('PBKDF2', () => {
    it('takes a bare base64 key with salt text and iterations from columns, verifying', () => {
      const key = pbkdf2Sync(PASSWORD, 'column-salt', 2000, 32, 'sha256');
      const result = info(explicitPasswordHash(key.toString('base64'), 'PBKDF2_SHA256', { salt: 'column-salt', iterations: 2000 }));
      expect(result).to.deep.equal({
        algorithmTypeId: 'PBKDF2_SHA256',
        passwordHash: key.toString('base64'),
        hData: { salt: Buffer.from('column-salt').toString('base64'), iterations: '2000' },
      });
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('takes a bare hex key of any length as PBKDF2_SHA1, verifying', () => {
      const key = pbkdf2Sync(PASSWORD, 'column-salt', 1000, 64, 'sha1');
      const result = info(explicitPasswordHash(key.toString('hex'), 'PBKDF2_SHA1', { salt: 'column-salt', iterations: '1000' }));
      expect(result.passwordHash).to.equal(key.toString('base64'));
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('takes a base64url key', () => {
      const key = pbkdf2Sync(PASSWORD, SALT_BYTES, 1000, 32, 'sha256');
      const result = info(explicitPasswordHash(key.toString('base64url'), 'PBKDF2_SHA256', { salt: SALT_BYTES, iterations: 1000 }));
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    for (const saltEncoding of ['hex', 'base64'] as const) {
      it(`reads a ${saltEncoding} salt column as the salt bytes, verifying`, () => {
        const key = pbkdf2Sync(PASSWORD, SALT_BYTES, 1000, 32, 'sha256');
        const salt = SALT_BYTES.toString(saltEncoding);
        const result = info(explicitPasswordHash(key.toString('base64'), 'PBKDF2_SHA256', { salt, iterations: 1000, saltEncoding }));
        expect(result.hData?.salt).to.equal(SALT_BYTES.toString('base64'));
        expect(pbkdf2Verifies(result)).to.equal(true);
      });
    }

    it('takes a bytea salt and a bigint iteration count, verifying', () => {
      const key = pbkdf2Sync(PASSWORD, SALT_BYTES, 1000, 32, 'sha256');
      const result = info(explicitPasswordHash(key.toString('base64'), 'PBKDF2_SHA256', { salt: new Uint8Array(SALT_BYTES), iterations: 1000n }));
      expect(result.hData).to.deep.equal({ salt: SALT_BYTES.toString('base64'), iterations: '1000' });
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('uses a text salt byte for byte, spaces included', () => {
      const key = pbkdf2Sync(PASSWORD, ' salt ', 1000, 32, 'sha256');
      const result = info(explicitPasswordHash(key.toString('base64'), 'PBKDF2_SHA256', { salt: ' salt ', iterations: 1000 }));
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('refuses a bare key without salt and iteration columns', () => {
      const key = pbkdf2Sync(PASSWORD, 'x', 1000, 32, 'sha256').toString('base64');
      expect(reason(explicitPasswordHash(key, 'PBKDF2_SHA256'))).to.match(/needs the salt and iteration count/);
    });

    it('refuses a bare key with a salt but no iteration count', () => {
      const key = pbkdf2Sync(PASSWORD, 'x', 1000, 32, 'sha256').toString('base64');
      expect(reason(explicitPasswordHash(key, 'PBKDF2_SHA256', { salt: 'x' }))).to.match(/iteration count/);
    });

    for (const iterations of [0, -1, 1.5, '12a', '', 2 ** 32]) {
      it(`refuses the iteration count ${JSON.stringify(iterations)}`, () => {
        const key = pbkdf2Sync(PASSWORD, 'x', 1000, 32, 'sha256').toString('base64');
        expect(reason(explicitPasswordHash(key, 'PBKDF2_SHA256', { salt: 'x', iterations }))).to.match(/iteration count/);
      });
    }

    it('refuses a bare key with iterations but an empty salt', () => {
      const key = pbkdf2Sync(PASSWORD, 'x', 1000, 32, 'sha256').toString('base64');
      expect(reason(explicitPasswordHash(key, 'PBKDF2_SHA256', { salt: '', iterations: 1000 }))).to.match(/non-empty salt/);
    });

    it('refuses a salt that is not valid in its saltEncoding', () => {
      const key = pbkdf2Sync(PASSWORD, 'x', 1000, 32, 'sha256').toString('base64');
      expect(reason(explicitPasswordHash(key, 'PBKDF2_SHA256', { salt: 'xyz', iterations: 1000, saltEncoding: 'hex' }))).to.match(/salt is not valid hex/);
    });

    it('refuses a key shorter than 16 bytes', () => {
      expect(reason(explicitPasswordHash(Buffer.alloc(8, 1).toString('base64'), 'PBKDF2_SHA1', { salt: 'x', iterations: 1 }))).to.match(/at least 16 bytes/);
    });

    it('refuses a key that is neither base64 nor hex', () => {
      expect(reason(explicitPasswordHash('not*base64*at*all*but*long*enough', 'PBKDF2_SHA1', { salt: 'x', iterations: 1 }))).to.match(/does not fit PBKDF2_SHA1/);
    });

    it('takes a Django string whole, ignoring salt and iteration columns', () => {
      const hash = djangoPbkdf2('sha256');
      expect(explicitPasswordHash(hash, 'PBKDF2_SHA256', { salt: 'other', iterations: 5 })).to.deep.equal(recognizePasswordHash(hash));
    });

    it('takes a passlib string whole', () => {
      expect(pbkdf2Verifies(info(explicitPasswordHash(passlibPbkdf2('sha1'), 'PBKDF2_SHA1')))).to.equal(true);
    });

    it('takes an ASP.NET Identity v3 hash when no columns are configured', () => {
      expect(pbkdf2Verifies(info(explicitPasswordHash(aspNetV3(1).hash, 'PBKDF2_SHA256')))).to.equal(true);
    });

    it('refuses a Django string of the other digest naming its prefix', () => {
      expect(reason(explicitPasswordHash(djangoPbkdf2('sha1'), 'PBKDF2_SHA256'))).to.equal(
        'hash (prefix "pbkdf2_sha1$") is PBKDF2_SHA1, but the configured algorithm is PBKDF2_SHA256',
      );
    });

    it('passes on the reason for a passlib hash cidaas cannot take', () => {
      expect(reason(explicitPasswordHash(passlibPbkdf2('sha512'), 'PBKDF2_SHA256'))).to.include('"$pbkdf2-sha512$"');
    });

    it('refuses a bcrypt hash naming its prefix', () => {
      expect(reason(explicitPasswordHash(bcrypt4, 'PBKDF2_SHA256', { salt: 'x', iterations: 1 }))).to.include('prefix "$2b$"');
    });
  });

  describe('ARGON2', () => {
    it('accepts a PHC string as is', async () => {
      const hash = await argon2Hash('i');
      expect(info(explicitPasswordHash(hash, 'ARGON2'))).to.deep.equal({ algorithmTypeId: 'ARGON2', passwordHash: hash });
    });

    it("drops Django's argon2 prefix", async () => {
      const hash = await argon2Hash('id');
      expect(info(explicitPasswordHash(`argon2${hash}`, 'argon2')).passwordHash).to.equal(hash);
    });

    it('refuses a bcrypt hash naming its prefix', () => {
      expect(reason(explicitPasswordHash(bcrypt4, 'ARGON2'))).to.include('prefix "$2b$"');
    });
  });

  describe('SHA256 and SHA1', () => {
    const sha256 = createHash('sha256').update(PASSWORD).digest();

    it('lowercases a hex SHA-256 digest', () => {
      expect(info(explicitPasswordHash(sha256.toString('hex').toUpperCase(), 'SHA256'))).to.deep.equal({
        algorithmTypeId: 'SHA256',
        passwordHash: sha256.toString('hex'),
      });
    });

    it('turns a base64 digest into hex', () => {
      expect(info(explicitPasswordHash(sha256.toString('base64'), 'SHA256')).passwordHash).to.equal(sha256.toString('hex'));
    });

    it('adds a salt column as base64 of its bytes', () => {
      const sha1 = createHash('sha1').update('pepper' + PASSWORD).digest('hex');
      expect(info(explicitPasswordHash(sha1, 'SHA1', { salt: 'pepper' }))).to.deep.equal({
        algorithmTypeId: 'SHA1',
        passwordHash: sha1,
        hData: { salt: Buffer.from('pepper').toString('base64') },
      });
    });

    it('refuses a digest of the wrong length', () => {
      expect(reason(explicitPasswordHash(sha256.toString('hex'), 'SHA1'))).to.match(/20-byte digest/);
    });

    it('refuses an iteration count', () => {
      expect(reason(explicitPasswordHash(sha256.toString('hex'), 'SHA256', { iterations: 1000 }))).to.match(/no iteration count/);
    });

    it('refuses a self-describing hash naming its prefix', () => {
      expect(reason(explicitPasswordHash(djangoPbkdf2('sha256'), 'SHA256'))).to.include('prefix "pbkdf2_sha256$"');
    });
  });

  describe('CUSTOM_<name>', () => {
    const phpass = '$P$BtVqhZq0ZkXZ2pZbq2G6E2mHcY5v0s/';

    it('passes any hash through', () => {
      expect(info(explicitPasswordHash(phpass, 'CUSTOM_PHPASS'))).to.deep.equal({ algorithmTypeId: 'CUSTOM_PHPASS', passwordHash: phpass });
    });

    it('passes salt and iterations through as given', () => {
      expect(info(explicitPasswordHash('opaque', 'CUSTOM_Legacy-1', { salt: 'raw salt', iterations: 7 }))).to.deep.equal({
        algorithmTypeId: 'CUSTOM_Legacy-1',
        passwordHash: 'opaque',
        hData: { salt: 'raw salt', iterations: '7' },
      });
    });

    it('passes a bytea salt as base64', () => {
      expect(info(explicitPasswordHash('opaque', 'custom_x', { salt: Buffer.from([1, 2, 3]) })).hData).to.deep.equal({ salt: 'AQID' });
    });

    it('still refuses an empty hash', () => {
      expect(reason(explicitPasswordHash('   ', 'CUSTOM_PHPASS'))).to.equal('empty password hash');
    });
  });

  describe('unsupported algorithms', () => {
    it('names a short unsupported algorithm and lists the supported ones', () => {
      expect(reason(explicitPasswordHash(bcrypt4, 'MD5'))).to.match(/^unsupported algorithmTypeId "MD5": use one of BCRYPT_<4\.\.20>/);
    });

    it('takes PBKDF2_SHA512 (an ASSUMED cidaas id) and names a derived length that is not the digest\'s in hData.keylen (#20)', () => {
      const salt = Buffer.from('keycloak-salt-16');
      const natural = pbkdf2Sync(PASSWORD, salt, 1000, 64, 'sha512');
      const r = info(explicitPasswordHash(natural.toString('base64'), 'PBKDF2_SHA512', { salt: salt.toString('base64'), iterations: 1000, saltEncoding: 'base64' }));
      expect(r.hData).to.deep.equal({ salt: salt.toString('base64'), iterations: '1000' });
      expect(pbkdf2Verifies(r)).to.equal(true);
      const long = pbkdf2Sync(PASSWORD, salt, 1000, 64, 'sha256');
      const r256 = info(explicitPasswordHash(long.toString('base64'), 'PBKDF2_SHA256', { salt: salt.toString('base64'), iterations: 1000, saltEncoding: 'base64' }));
      expect(r256.hData).to.deep.equal({ salt: salt.toString('base64'), iterations: '1000', keylen: '64' });
      expect(pbkdf2Verifies(r256)).to.equal(true);
      expect(reason(explicitPasswordHash(Buffer.alloc(129, 1).toString('base64'), 'PBKDF2_SHA256', { salt: 'c2FsdA==', iterations: 1, saltEncoding: 'base64' }))).to.include('16..128 bytes');
    });

    it('does not echo an algorithm that looks like a mis-mapped hash', () => {
      const md5 = createHash('md5').update(PASSWORD).digest('hex');
      const r = reason(explicitPasswordHash(md5, md5));
      expect(r).to.include('(not an algorithm name)');
      expect(r).not.to.include(md5.slice(0, 8));
    });

    it('refuses CUSTOM_ without a name', () => {
      expect(reason(explicitPasswordHash('x', 'CUSTOM_'))).to.include('"CUSTOM_"');
    });
  });
});
