import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { argon2Verify } from 'hash-wasm';
import type { RecognizedHash, PasswordHashInfo } from '../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';
import {
  PASSWORD,
  SALT_BYTES,
  argon2Hash,
  aspNetV2,
  aspNetV3,
  bcryptHash,
  djangoPbkdf2,
  passlibPbkdf2,
  pbkdf2Verifies,
} from './hash-fixtures.js';

function info(result: RecognizedHash): PasswordHashInfo {
  if (!result.ok) throw new Error(`expected the hash to be recognised, got: ${result.reason}`);
  return result.info;
}

function reason(result: RecognizedHash): string {
  if (result.ok) throw new Error(`expected a refusal, got ${result.info.algorithmTypeId}`);
  return result.reason;
}

describe('recognizePasswordHash', () => {
  describe('bcrypt', () => {
    const hash = bcryptHash(4);

    it('passes a $2b$ hash as is as BCRYPT_<cost> without the leading zero', () => {
      expect(hash.startsWith('$2b$04$')).to.equal(true);
      expect(info(recognizePasswordHash(hash))).to.deep.equal({ algorithmTypeId: 'BCRYPT_4', passwordHash: hash });
    });

    it('passes a $2b$ hash that still verifies the password', () => {
      expect(bcrypt.compareSync(PASSWORD, info(recognizePasswordHash(hash)).passwordHash)).to.equal(true);
    });

    for (const variant of ['$2a$', '$2y$']) {
      it(`recognises the ${variant} variant`, () => {
        const h = variant + hash.slice(4);
        expect(info(recognizePasswordHash(h))).to.deep.equal({ algorithmTypeId: 'BCRYPT_4', passwordHash: h });
      });
    }

    it('reads two-digit costs up to 20', () => {
      expect(info(recognizePasswordHash(hash.replace('$04$', '$12$'))).algorithmTypeId).to.equal('BCRYPT_12');
      expect(info(recognizePasswordHash(hash.replace('$04$', '$20$'))).algorithmTypeId).to.equal('BCRYPT_20');
    });

    it('refuses costs outside 4..20 naming the cost', () => {
      expect(reason(recognizePasswordHash(hash.replace('$04$', '$21$')))).to.match(/cost 21.*4\.\.20/);
      expect(reason(recognizePasswordHash(hash.replace('$04$', '$03$')))).to.match(/cost 3/);
    });

    it('refuses the $2x$ variant naming its prefix', () => {
      expect(reason(recognizePasswordHash('$2x$' + hash.slice(4)))).to.include('"$2x$"');
    });

    it('refuses the original $2$ variant', () => {
      expect(reason(recognizePasswordHash('$2$' + hash.slice(4)))).to.include('"$2$"');
    });

    it('refuses a truncated bcrypt hash', () => {
      expect(reason(recognizePasswordHash(hash.slice(0, 59)))).to.match(/60 characters, got 59/);
    });

    it('refuses a bcrypt hash with characters outside its alphabet', () => {
      expect(reason(recognizePasswordHash(hash.slice(0, 59) + '!'))).to.match(/malformed/);
    });

    it('trims the padding a CHAR column adds', () => {
      expect(info(recognizePasswordHash(`  ${hash}    `)).passwordHash).to.equal(hash);
    });

    it("unwraps Django's bcrypt$ prefix", () => {
      expect(info(recognizePasswordHash(`bcrypt$${hash}`))).to.deep.equal({ algorithmTypeId: 'BCRYPT_4', passwordHash: hash });
    });

    it("pushes Django's bcrypt_sha256$ (prehashed, cidaas BCRYPT cannot check it) as CUSTOM_DJANGO_BCRYPT_SHA256 (#11)", () => {
      expect(info(recognizePasswordHash(`bcrypt_sha256$${hash}`))).to.deep.equal({ algorithmTypeId: 'CUSTOM_DJANGO_BCRYPT_SHA256', passwordHash: `bcrypt_sha256$${hash}` });
    });
  });

  describe('argon2', () => {
    for (const variant of ['id', 'i', 'd'] as const) {
      it(`passes a $argon2${variant}$ PHC string as is as ARGON2, still verifying`, async () => {
        const hash = await argon2Hash(variant);
        const result = info(recognizePasswordHash(hash));
        expect(result).to.deep.equal({ algorithmTypeId: 'ARGON2', passwordHash: hash });
        expect(await argon2Verify({ password: PASSWORD, hash: result.passwordHash })).to.equal(true);
      });
    }

    it("strips Django's argon2 prefix down to the PHC string", async () => {
      const phc = await argon2Hash('id');
      const result = info(recognizePasswordHash(`argon2${phc}`));
      expect(result).to.deep.equal({ algorithmTypeId: 'ARGON2', passwordHash: phc });
      expect(await argon2Verify({ password: PASSWORD, hash: result.passwordHash })).to.equal(true);
    });

    it('accepts a version-less PHC string from argon2 1.0', () => {
      const hash = '$argon2i$m=512,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$aXs0TVhb5A1eeM7NXP4y5PnkaK2fGxUM';
      expect(info(recognizePasswordHash(hash)).algorithmTypeId).to.equal('ARGON2');
    });

    it('refuses an argon2 string without cost parameters naming its prefix', () => {
      expect(reason(recognizePasswordHash('$argon2id$v=19$c29tZXNhbHRzb21lc2FsdA$aXs0TVhb5A1eeM7NXP4y5Pnk'))).to.include('"$argon2id$"');
    });

    it("refuses Django's argon2$ prefix around something else", () => {
      expect(reason(recognizePasswordHash('argon2$notphc'))).to.include('"argon2$"');
    });
  });

  describe('Django PBKDF2', () => {
    it('reads pbkdf2_sha256$ with hData.salt = base64 of the salt text and a verifying hash', () => {
      const result = info(recognizePasswordHash(djangoPbkdf2('sha256', 'seasaltY8kQ2Zz', 1000)));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA256');
      expect(result.hData).to.deep.equal({ salt: Buffer.from('seasaltY8kQ2Zz').toString('base64'), iterations: '1000' });
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('reads pbkdf2_sha1$ as PBKDF2_SHA1 with a verifying hash', () => {
      const result = info(recognizePasswordHash(djangoPbkdf2('sha1')));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA1');
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it("verifies Django's own test vector (non-ASCII password)", () => {
      const result = info(recognizePasswordHash('pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY='));
      expect(result.hData).to.deep.equal({ salt: 'c2Vhc2FsdA==', iterations: '10000' });
      expect(pbkdf2Verifies(result, 'lètmein')).to.equal(true);
      expect(pbkdf2Verifies(result, 'letmein')).to.equal(false);
    });

    it('takes a non-ASCII salt as its UTF-8 bytes', () => {
      const result = info(recognizePasswordHash(djangoPbkdf2('sha256', 'sälz-ü')));
      expect(Buffer.from(result.hData?.salt ?? '', 'base64').toString('utf8')).to.equal('sälz-ü');
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('refuses a hash with a missing part naming the prefix', () => {
      expect(reason(recognizePasswordHash('pbkdf2_sha256$1000$onlysalt'))).to.include('"pbkdf2_sha256$"');
    });

    it('refuses a zero or non-numeric iteration count', () => {
      const [, , salt, hash] = djangoPbkdf2('sha256').split('$');
      expect(reason(recognizePasswordHash(`pbkdf2_sha256$0$${salt}$${hash}`))).to.match(/iteration/);
      expect(reason(recognizePasswordHash(`pbkdf2_sha256$1e3$${salt}$${hash}`))).to.match(/iteration/);
    });

    it('refuses an empty salt', () => {
      const [, iterations, , hash] = djangoPbkdf2('sha256').split('$');
      expect(reason(recognizePasswordHash(`pbkdf2_sha256$${iterations}$$${hash}`))).to.match(/salt/);
    });

    it('refuses a hash truncated by a short column', () => {
      expect(reason(recognizePasswordHash(djangoPbkdf2('sha256').slice(0, -4)))).to.match(/32 bytes.*truncated/);
    });

    it('refuses a SHA-1 length hash labelled pbkdf2_sha256', () => {
      const sha1 = djangoPbkdf2('sha1').split('$')[3];
      expect(reason(recognizePasswordHash(`pbkdf2_sha256$1000$salt$${sha1}`))).to.match(/32 bytes/);
    });
  });

  describe('passlib PBKDF2', () => {
    it('reads $pbkdf2-sha256$ converting adapted base64 to padded standard base64', () => {
      const result = info(recognizePasswordHash(passlibPbkdf2('sha256')));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA256');
      expect(result.hData).to.deep.equal({ salt: SALT_BYTES.toString('base64'), iterations: '1000' });
      expect(result.passwordHash).to.match(/^[A-Za-z0-9+/]{43}=$/);
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('reads $pbkdf2$ as PBKDF2_SHA1 with a verifying hash', () => {
      const result = info(recognizePasswordHash(passlibPbkdf2('sha1')));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA1');
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it("verifies passlib's documented pbkdf2_sha256 example", () => {
      const result = info(recognizePasswordHash('$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk'));
      expect(pbkdf2Verifies(result, 'toomanysecrets')).to.equal(true);
    });

    it("verifies passlib's pbkdf2_sha1 test vector", () => {
      const result = info(recognizePasswordHash('$pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI'));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA1');
      expect(pbkdf2Verifies(result, 'password')).to.equal(true);
    });

    it('reads $pbkdf2-sha512$ as PBKDF2_SHA512 (an ASSUMED cidaas id) with a verifying hash and no keylen (#20)', () => {
      const result = info(recognizePasswordHash(passlibPbkdf2('sha512')));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA512');
      expect(result.hData).to.deep.equal({ salt: SALT_BYTES.toString('base64'), iterations: '1000' });
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('refuses a hash with standard base64 padding, which passlib never writes', () => {
      expect(reason(recognizePasswordHash(passlibPbkdf2('sha256') + '='))).to.include('"$pbkdf2-sha256$"');
    });

    it('refuses a hash with a missing part', () => {
      expect(reason(recognizePasswordHash('$pbkdf2-sha256$1000$c2FsdA'))).to.match(/malformed/);
    });
  });

  describe('ASP.NET Identity', () => {
    it('reads v3 with HMACSHA256 as PBKDF2_SHA256 with the salt and subkey in base64', () => {
      const { hash, subkey } = aspNetV3(1, SALT_BYTES, 10000);
      const result = info(recognizePasswordHash(hash));
      expect(result).to.deep.equal({
        algorithmTypeId: 'PBKDF2_SHA256',
        passwordHash: subkey.toString('base64'),
        hData: { salt: SALT_BYTES.toString('base64'), iterations: '10000' },
      });
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('reads v3 with HMACSHA1 as PBKDF2_SHA1 with a verifying hash', () => {
      const result = info(recognizePasswordHash(aspNetV3(0).hash));
      expect(result.algorithmTypeId).to.equal('PBKDF2_SHA1');
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('reads v3 with a longer salt and subkey', () => {
      const result = info(recognizePasswordHash(aspNetV3(1, Buffer.alloc(32, 9), 1000, 64).hash));
      expect(Buffer.from(result.passwordHash, 'base64')).to.have.length(64);
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('reads v3 with HMACSHA512 (.NET 7+) as PBKDF2_SHA512 (#11)', () => {
      expect(info(recognizePasswordHash(aspNetV3(2).hash)).algorithmTypeId).to.equal('PBKDF2_SHA512');
    });

    it('refuses v3 whose salt length overruns the bytes', () => {
      const bytes = Buffer.from(aspNetV3(1).hash, 'base64');
      bytes.writeUInt32BE(60, 9);
      expect(reason(recognizePasswordHash(bytes.toString('base64')))).to.match(/inconsistent layout/);
    });

    it('refuses v3 with zero iterations', () => {
      const bytes = Buffer.from(aspNetV3(1).hash, 'base64');
      bytes.writeUInt32BE(0, 5);
      expect(reason(recognizePasswordHash(bytes.toString('base64')))).to.match(/iterations 0/);
    });

    it('reads v2 as PBKDF2_SHA1 with 1000 iterations and a verifying hash', () => {
      const { hash, subkey } = aspNetV2();
      const result = info(recognizePasswordHash(hash));
      expect(result).to.deep.equal({
        algorithmTypeId: 'PBKDF2_SHA1',
        passwordHash: subkey.toString('base64'),
        hData: { salt: SALT_BYTES.toString('base64'), iterations: '1000' },
      });
      expect(pbkdf2Verifies(result)).to.equal(true);
    });

    it('does not take base64 of the wrong length for v2', () => {
      const bytes = Buffer.concat([Buffer.from(aspNetV2().hash, 'base64'), Buffer.alloc(3)]);
      expect(reason(recognizePasswordHash(bytes.toString('base64')))).to.match(/unrecognised.*no recognisable prefix, 72 characters/);
    });
  });

  describe('unsalted hex digests', () => {
    it('reads 64 hex characters as SHA256, lowercased', () => {
      const hex = createHash('sha256').update(PASSWORD).digest('hex');
      expect(info(recognizePasswordHash(hex.toUpperCase()))).to.deep.equal({ algorithmTypeId: 'SHA256', passwordHash: hex });
    });

    it('reads 40 hex characters as SHA1', () => {
      const hex = createHash('sha1').update(PASSWORD).digest('hex');
      expect(info(recognizePasswordHash(hex))).to.deep.equal({ algorithmTypeId: 'SHA1', passwordHash: hex });
    });

    it('refuses 32 hex characters as unsalted MD5 pointing at CUSTOM_<name>', () => {
      const hex = createHash('md5').update(PASSWORD).digest('hex');
      expect(reason(recognizePasswordHash(hex))).to.equal(
        'looks like unsalted MD5 (32 hex characters); cidaas has no MD5 type: map it to CUSTOM_<name> in a mapping module or `password.algorithm`',
      );
    });

    it('refuses 128 hex characters as unsalted SHA-512', () => {
      expect(reason(recognizePasswordHash(createHash('sha512').update(PASSWORD).digest('hex')))).to.match(/SHA-512/);
    });

    it('refuses hex of another length as unrecognised', () => {
      expect(reason(recognizePasswordHash('ab'.repeat(24)))).to.match(/no recognisable prefix, 48 characters/);
    });
  });

  describe('formats only an explicit algorithm can take', () => {
    it('refuses a truncated phpass hash naming only its prefix (#11)', () => {
      const r = reason(recognizePasswordHash('$P$BtVqhZq0ZkXZ2pZbq2G6E2mHcY5v0s'));
      expect(r).to.include('"$P$"').and.include('CUSTOM_PHPASS').and.include('truncated');
      expect(r).not.to.include('BtVqhZq0');
    });

    it('pushes WordPress 6.8 $wp$ hashes as CUSTOM_WORDPRESS_BCRYPT, as stored (#11)', () => {
      const hash = `$wp${bcryptHash(4)}`;
      const r = recognizePasswordHash(hash);
      expect(r.ok && r.info).to.deep.equal({ algorithmTypeId: 'CUSTOM_WORDPRESS_BCRYPT', passwordHash: hash });
      expect(reason(recognizePasswordHash(hash.slice(0, 50)))).to.include('"$wp$"').and.not.include(hash.slice(10, 30));
    });

    it('refuses a truncated sha512-crypt hash naming only $6$ (#11)', () => {
      expect(reason(recognizePasswordHash('$6$rounds=5000$saltsalt$' + 'x'.repeat(85)))).to.include('prefix "$6$"');
    });

    it('refuses an LDAP {SSHA} hash too short for a salt naming only {SSHA} (#11)', () => {
      expect(reason(recognizePasswordHash('{SSHA}' + Buffer.alloc(22, 3).toString('base64')))).to.include('prefix "{SSHA}"');
    });

    it('describes a hash without a prefix by its length only', () => {
      expect(reason(recognizePasswordHash('not a hash at all'))).to.include('(no recognisable prefix, 17 characters)');
    });
  });

  describe('empty input', () => {
    for (const [name, value] of [['empty', ''], ['only whitespace', ' \t\n ']] as const) {
      it(`takes a hash that is ${name} for "no password", not an error (#20)`, () => {
        const r = recognizePasswordHash(value);
        expect(r.ok).to.equal(false);
        expect(r.ok ? undefined : r.noPassword).to.equal('empty');
      });
    }
  });
});
