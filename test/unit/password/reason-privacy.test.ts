import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { hashPrefix } from '../../../src/password/describe-hash-prefix.js';
import { explicitPasswordHash } from '../../../src/password/explicit-password-hash.js';
import type { RecognizedHash } from '../../../src/password/password-hash-info.js';
import { recognizePasswordHash } from '../../../src/password/recognize-password-hash.js';
import { ab64, argon2Hash, aspNetV3, bcryptHash, djangoPbkdf2, passlibPbkdf2 } from './hash-fixtures.js';

/** Hash material that never occurs by chance in English text: random itoa64 characters. */
function itoa64(length: number): string {
  const alphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(length)].map((b) => alphabet[b % 64]).join('');
}

const WINDOW = 6;

/**
 * Fails when `reason` contains any WINDOW-character piece of `input` that reaches past
 * the input's own format prefix (the only part a reason may name).
 */
function expectOnlyPrefix(input: string, result: RecognizedHash): void {
  if (result.ok) throw new Error(`expected a refusal for a case built to be refused (${result.info.algorithmTypeId})`);
  const s = input.trim();
  const allowed = hashPrefix(s)?.length ?? 0;
  for (let start = 0; start + WINDOW <= s.length; start++) {
    if (start + WINDOW <= allowed) continue;
    const piece = s.slice(start, start + WINDOW);
    if (result.reason.includes(piece)) {
      expect.fail(`reason reveals hash material beyond the prefix (characters ${start + 1}..${start + WINDOW}): ${result.reason}`);
    }
  }
}

describe('reasons name the prefix and never the hash', () => {
  let refusedByAuto: [string, string][] = [];
  const refusedExplicitly: [string, string, string][] = [];

  before(async () => {
    const bcrypt = bcryptHash(4);
    const argon = await argon2Hash('id');
    const v3 = Buffer.from(aspNetV3(1).hash, 'base64');
    v3.writeUInt32BE(200, 9);
    refusedByAuto = [
      ['bcrypt $2x$', '$2x$' + bcrypt.slice(4)],
      ['bcrypt cost 31', bcrypt.replace('$04$', '$31$')],
      ['bcrypt truncated', bcrypt.slice(0, 50)],
      ['bcrypt malformed', bcrypt.slice(0, 59) + '#'],
      ['Django bcrypt_sha256 truncated', `bcrypt_sha256$${bcrypt.slice(0, 50)}`],
      ['Django bcrypt wrapping junk', `bcrypt$${itoa64(40)}`],
      ['argon2 without parameters', argon.replace(/m=\d+,t=\d+,p=\d+\$/, '')],
      ['Django argon2 wrapping junk', `argon2$${itoa64(40)}`],
      ['passlib padded', passlibPbkdf2('sha256') + '='],
      ['passlib with a bad salt', `$pbkdf2-sha256$1000$!${itoa64(20)}$${ab64(randomBytes(32))}`],
      ['Django pbkdf2 truncated', djangoPbkdf2('sha256').slice(0, -6)],
      ['Django pbkdf2 bad iterations', djangoPbkdf2('sha1').replace('$1000$', '$x1$')],
      ['phpass $P$ truncated', '$P$B' + itoa64(29)],
      ['phpass $H$ with 2^30 rounds', '$H$U' + itoa64(30)],
      ['WordPress $wp$ truncated', `$wp${bcrypt.slice(0, 50)}`],
      ['md5crypt truncated', `$1$${itoa64(8)}$${itoa64(21)}`],
      ['sha512crypt truncated', `$6$rounds=5000$${itoa64(16)}$${itoa64(80)}`],
      ['scrypt', `$scrypt$ln=16,r=8,p=1$${itoa64(22)}$${itoa64(43)}`],
      ['LDAP SSHA without a salt', `{SSHA}${randomBytes(21).toString('base64')}`],
      ['Drupal $S$ truncated', '$S$D' + itoa64(40)],
      ['unsalted MD5', createHash('md5').update(itoa64(10)).digest('hex')],
      ['unsalted SHA-512', createHash('sha512').update(itoa64(10)).digest('hex')],
      ['hex of no digest length', randomBytes(24).toString('hex')],
      ['ASP.NET v3 inconsistent', v3.toString('base64')],
      ['random base64', randomBytes(40).toString('base64')],
      ['a $ far into the text', `${itoa64(20)}$${itoa64(20)}`],
      ['a long $id$', `$${'a'.repeat(20)}$${itoa64(20)}`],
      ['a long id$', `${'a'.repeat(20)}$${itoa64(20)}`],
    ];
    refusedExplicitly.push(
      ['bcrypt as SHA256', bcrypt, 'SHA256'],
      ['bcrypt as ARGON2', bcrypt, 'ARGON2'],
      ['argon2 as BCRYPT_10', argon, 'BCRYPT_10'],
      ['bcrypt of another cost', bcrypt, 'BCRYPT_12'],
      ['Django sha1 as PBKDF2_SHA256', djangoPbkdf2('sha1'), 'PBKDF2_SHA256'],
      ['bare key without columns', randomBytes(32).toString('base64'), 'PBKDF2_SHA256'],
      ['bare key too short', randomBytes(12).toString('base64'), 'PBKDF2_SHA1'],
      ['SHA1 of the wrong length', randomBytes(32).toString('hex'), 'SHA1'],
      ['hash in the algorithm column', bcrypt, bcrypt],
      ['hex hash in the algorithm column', randomBytes(16).toString('hex'), 'x' + randomBytes(16).toString('hex')],
    );
  });

  it('holds for every format auto refuses', () => {
    expect(refusedByAuto).to.have.length.above(25);
    for (const [name, hash] of refusedByAuto) {
      try {
        expectOnlyPrefix(hash, recognizePasswordHash(hash));
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
      }
    }
  });

  it('holds for every hash an explicit algorithm refuses', () => {
    for (const [name, hash, algorithm] of refusedExplicitly) {
      try {
        const result = explicitPasswordHash(hash, algorithm, name.startsWith('bare key too short') ? { salt: 's', iterations: 1 } : {});
        expectOnlyPrefix(hash, result);
        if (!result.ok && algorithm.length > 24) expect(result.reason).not.to.include(algorithm.slice(0, WINDOW + 2));
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
      }
    }
  });

  it('names the prefix of every refused hash that has one', () => {
    for (const [name, hash] of refusedByAuto) {
      const prefix = hashPrefix(hash);
      const result = recognizePasswordHash(hash);
      if (prefix === undefined || result.ok) continue;
      // bcrypt and argon2 reasons name their own shorter prefix ($2b$ for $2b$31$...).
      expect(result.reason, name).to.include(prefix.slice(0, 3));
    }
  });

  it('caps a prefix at 16 characters of identifier characters', () => {
    expect(hashPrefix('$pbkdf2-sha512$1$a$b')).to.equal('$pbkdf2-sha512$');
    expect(hashPrefix(`$${'a'.repeat(15)}$x`)).to.equal(undefined);
    expect(hashPrefix('$ab/cd$x')).to.equal(undefined);
    expect(hashPrefix('AbC$x')).to.equal(undefined);
    expect(hashPrefix('{PKCS5S2}abc')).to.equal('{PKCS5S2}');
  });
});
