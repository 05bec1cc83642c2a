import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import bcrypt from 'bcryptjs';
import { argon2i, argon2id } from 'hash-wasm';
import { base32Encode, totpCode } from '../../../tools/totp.js';
import { useEmulator, user } from './emulator-fixture.js';

const PASSWORD = 'correct horse battery staple';

async function argon2Hash(kind: typeof argon2id): Promise<string> {
  return kind({ password: PASSWORD, salt: randomBytes(16), parallelism: 1, iterations: 2, memorySize: 1024, hashLength: 32, outputType: 'encoded' });
}

/** A PBKDF2 hash of `keylen` bytes (the digest's own size when not given; then no hData.keylen is sent). */
function pbkdf2Info(algorithmTypeId: 'PBKDF2_SHA256' | 'PBKDF2_SHA1' | 'PBKDF2_SHA512', keylen?: number): Record<string, unknown> {
  const salt = randomBytes(12);
  const digest = ({ PBKDF2_SHA256: 'sha256', PBKDF2_SHA1: 'sha1', PBKDF2_SHA512: 'sha512' } as const)[algorithmTypeId];
  const key = pbkdf2Sync(PASSWORD, salt, 1000, keylen ?? { sha256: 32, sha1: 20, sha512: 64 }[digest], digest);
  return { algorithmTypeId, passwordHash: key.toString('base64'), hData: { salt: salt.toString('base64'), iterations: '1000', ...(keylen ? { keylen: String(keylen) } : {}) } };
}

function shaInfo(algorithmTypeId: 'SHA256' | 'SHA1', salt?: Buffer): Record<string, unknown> {
  const hash = createHash(algorithmTypeId === 'SHA256' ? 'sha256' : 'sha1').update(PASSWORD).update(salt ?? Buffer.alloc(0)).digest('hex');
  return salt ? { algorithmTypeId, passwordHash: hash, hData: { salt: salt.toString('base64') } } : { algorithmTypeId, passwordHash: hash };
}

describe('cidaas emulator: login and TOTP checks', () => {
  const t = useEmulator();
  const login = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = await t.call('POST', '/_emulator/login', { body });
    expect(res.status).to.equal(200);
    return res.body;
  };

  describe('POST /_emulator/login', () => {
    const algorithms: Record<string, () => Promise<Record<string, unknown>>> = {
      'BCRYPT ($2b$ from bcryptjs)': async () => ({ algorithmTypeId: 'BCRYPT_4', passwordHash: await bcrypt.hash(PASSWORD, 4) }),
      'BCRYPT ($2y$, as PHP writes it)': async () => ({ algorithmTypeId: 'BCRYPT_4', passwordHash: (await bcrypt.hash(PASSWORD, 4)).replace('$2b$', '$2y$') }),
      PBKDF2_SHA256: async () => pbkdf2Info('PBKDF2_SHA256'),
      PBKDF2_SHA1: async () => pbkdf2Info('PBKDF2_SHA1'),
      'PBKDF2_SHA512 (#20)': async () => pbkdf2Info('PBKDF2_SHA512'),
      'PBKDF2_SHA256 with keylen 64, as Keycloak derives it (#20)': async () => pbkdf2Info('PBKDF2_SHA256', 64),
      'PBKDF2_SHA1 with keylen 128 (#20)': async () => pbkdf2Info('PBKDF2_SHA1', 128),
      'PBKDF2_SHA512 with keylen 16 (#20)': async () => pbkdf2Info('PBKDF2_SHA512', 16),
      'SHA256 with a salt': async () => shaInfo('SHA256', randomBytes(8)),
      'SHA1 without a salt': async () => shaInfo('SHA1'),
      'ARGON2 (argon2id)': async () => ({ algorithmTypeId: 'ARGON2', passwordHash: await argon2Hash(argon2id) }),
      'ARGON2 (argon2i)': async () => ({ algorithmTypeId: 'ARGON2', passwordHash: await argon2Hash(argon2i) }),
    };
    for (const [name, makeInfo] of Object.entries(algorithms)) {
      it(`accepts the right password and refuses a wrong one for ${name}`, async () => {
        const states = await t.bulk([user(1, { password_hash_info: await makeInfo() })]);
        expect(states[0]!.status).to.equal('CREATED');
        expect(await login({ sub: 'u-1', password: PASSWORD })).to.deep.equal({ ok: true });
        expect((await login({ sub: 'u-1', password: PASSWORD + '!' }))['ok']).to.equal(false);
      });
    }

    it('refuses a PBKDF2 hData.keylen that is not the derived key\'s length (#20)', async () => {
      const info = pbkdf2Info('PBKDF2_SHA256', 64);
      const states = await t.bulk([user(1, { password_hash_info: { ...info, hData: { ...(info.hData as object), keylen: '32' } } })]);
      expect(states[0]!.status).to.equal('FAILED');
      expect(JSON.stringify(states[0])).to.include('hData.keylen is 32 but the derived key has 64 bytes');
    });

    it('finds the user by email, ignoring case', async () => {
      await t.bulk([user(1, { password_hash_info: shaInfo('SHA1') })]);
      expect(await login({ email: 'U1@Example.com', password: PASSWORD })).to.deep.equal({ ok: true });
    });

    it('answers "no verifier configured" for CUSTOM_ hashes when started without a verifier URL (#11)', async () => {
      await t.bulk([user(1, { password_hash_info: { algorithmTypeId: 'CUSTOM_PHPASS', passwordHash: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0' } })]);
      expect(await login({ sub: 'u-1', password: 'test12345' })).to.deep.equal({ ok: false, reason: 'no verifier configured' });
    });

    it("checks Django's own argon2 hashes natively as ARGON2, the argon2$ prefix dropped (#11)", async () => {
      // django tests/auth_tests/test_hashers.py test_argon2 / test_argon2_version_upgrade ("secret").
      for (const hash of ['$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q', '$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw']) {
        await t.bulk([user(1, { password_hash_info: { algorithmTypeId: 'ARGON2', passwordHash: hash } })]);
        expect(await login({ sub: 'u-1', password: 'secret' })).to.deep.equal({ ok: true });
        expect((await login({ sub: 'u-1', password: 'wrong' }))['ok']).to.equal(false);
      }
    });

    it('answers ok false for a user that is not VERIFIED even with the right password', async () => {
      await t.bulk([user(1, { userStatus: 'LOCKED', password_hash_info: shaInfo('SHA1') })]);
      expect(await login({ sub: 'u-1', password: PASSWORD })).to.deep.equal({ ok: false, reason: 'userStatus is LOCKED' });
    });

    it('answers ok false for an unknown user and for a user without a password', async () => {
      await t.bulk([user(1)]);
      expect((await login({ sub: 'nobody', password: PASSWORD }))['ok']).to.equal(false);
      expect((await login({ sub: 'u-1', password: PASSWORD }))['ok']).to.equal(false);
    });

    it('answers 400 without a password', async () => {
      const res = await t.call('POST', '/_emulator/login', { body: { sub: 'u-1' } });
      expect(res.status).to.equal(400);
    });
  });

  describe('POST /_emulator/totp', () => {
    const secret = base32Encode(randomBytes(20));
    const check = async (code: string, sub = 'u-1'): Promise<unknown> => (await t.call('POST', '/_emulator/totp', { body: { sub, code } })).body['ok'];

    beforeEach(async () => {
      await t.bulk([user(1, { mfa: { totp: { secret, algorithm: 'SHA1', digits: 6, period: 30 } } }), user(2)]);
    });

    it('accepts the current code', async () => {
      expect(await check(totpCode(secret))).to.equal(true);
    });

    it('accepts the code of one step before or after (clock drift)', async () => {
      expect(await check(totpCode(secret, Date.now() - 30_000))).to.equal(true);
      expect(await check(totpCode(secret, Date.now() + 30_000))).to.equal(true);
    });

    it('refuses a code three steps old', async () => {
      const old = totpCode(secret, Date.now() - 90_000);
      const near = [-1, 0, 1].map((k) => totpCode(secret, Date.now() + k * 30_000));
      // A code three steps old may equal a current one by chance (1 in 10^6 per step).
      if (!near.includes(old)) expect(await check(old)).to.equal(false);
    });

    it('refuses a wrong code and a code of another secret', async () => {
      const other = totpCode(base32Encode(randomBytes(20)));
      const near = [-1, 0, 1].map((k) => totpCode(secret, Date.now() + k * 30_000));
      expect(await check('abcdef')).to.equal(false);
      if (!near.includes(other)) expect(await check(other)).to.equal(false);
    });

    it('answers ok false for a user without TOTP', async () => {
      expect(await check(totpCode(secret), 'u-2')).to.equal(false);
    });
  });
});
