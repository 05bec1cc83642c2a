import { expect } from 'chai';
import { useEmulator, user } from './emulator-fixture.js';

const BCRYPT_A = '$2b$10$' + 'a'.repeat(53);
const BCRYPT_B = '$2b$10$' + 'b'.repeat(53);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';

describe('cidaas emulator: bulk upsert', () => {
  const t = useEmulator();

  it('creates a user under the sent sub with userStatus VERIFIED and createdTime/updatedTime set', async () => {
    const states = await t.bulk([user(1)]);
    expect(states).to.deep.equal([{ sub: 'u-1', identifier: { email: 'u1@example.com' }, status: 'CREATED' }]);
    const stored = t.emu.getUser('u-1')!;
    expect(stored).to.include({ sub: 'u-1', userStatus: 'VERIFIED', email: 'u1@example.com', given_name: 'Given1' });
    expect(stored.createdTime).to.equal(stored.updatedTime);
  });

  it('creates a user under a new sub when none is sent', async () => {
    const states = await t.bulk([{ email: 'nosub@example.com' }]);
    expect(states[0]!.status).to.equal('CREATED');
    expect(states[0]!.sub).to.match(/^[0-9a-f-]{36}$/);
    expect(t.emu.getUser(states[0]!.sub)!.email).to.equal('nosub@example.com');
  });

  it('answers one process state per user in input order', async () => {
    await t.bulk([user(2)]);
    const states = await t.bulk([user(3), user(2), { sub: 'bad', email: 'nope' }, user(1)]);
    expect(states.map((s) => [s.sub, s.status])).to.deep.equal([
      ['u-3', 'CREATED'],
      ['u-2', 'UPDATED'],
      ['ANONYMOUS', 'FAILED'],
      ['u-1', 'CREATED'],
    ]);
    expect(states[2]!.identifier).to.deep.equal({ email: 'nope' });
  });

  it('replaces the fields present and keeps the fields absent on update', async () => {
    await t.bulk([user(1, { nickname: 'Nick', customFields: { a: 1, b: 2 }, createdTime: '2020-01-01T00:00:00Z' })]);
    const created = t.emu.getUser('u-1')!;
    const states = await t.bulk([{ sub: 'u-1', given_name: 'New', customFields: { c: 3 } }]);
    expect(states[0]).to.deep.equal({ sub: 'u-1', identifier: {}, status: 'UPDATED' });
    const updated = t.emu.getUser('u-1')!;
    expect(updated).to.include({ given_name: 'New', family_name: 'Family1', nickname: 'Nick', email: 'u1@example.com', createdTime: '2020-01-01T00:00:00Z' });
    expect(updated.customFields).to.deep.equal({ c: 3 });
    expect(Date.parse(updated.updatedTime)).to.be.at.least(Date.parse(created.updatedTime));
  });

  it('keeps an empty string as the new value of a name field', async () => {
    await t.bulk([user(1, { middle_name: 'M' })]);
    await t.bulk([{ sub: 'u-1', middle_name: '' }]);
    expect(t.emu.getUser('u-1')!.middle_name).to.equal('');
  });

  it('removes the TOTP setup when mfa is sent as {}', async () => {
    await t.bulk([user(1, { mfa: { totp: { secret: SECRET } }, mfa_enabled: true })]);
    await t.bulk([{ sub: 'u-1', mfa: {}, mfa_enabled: false }]);
    expect(t.emu.getUser('u-1')).to.include({ mfa_enabled: false });
    expect(t.emu.getUser('u-1')!.mfa).to.deep.equal({});
  });

  it('lets another sub take an email once its owner changed it', async () => {
    await t.bulk([user(1)]);
    const states = await t.bulk([{ sub: 'u-1', email: 'changed@example.com' }, user(2, { email: 'u1@example.com' })]);
    expect(states.map((s) => s.status)).to.deep.equal(['UPDATED', 'CREATED']);
  });

  it('fails the second of two users with the same email in one batch, ignoring case', async () => {
    const states = await t.bulk([user(1), user(2, { email: 'U1@EXAMPLE.COM' })]);
    expect(states[1]).to.include({ sub: 'ANONYMOUS', status: 'FAILED', message: 'email already exists' });
  });

  it('lets a user keep its own email on update', async () => {
    await t.bulk([user(1)]);
    const states = await t.bulk([user(1, { given_name: 'Again' })]);
    expect(states[0]!.status).to.equal('UPDATED');
  });

  it('takes an update that sends no identifier for a user that has one stored', async () => {
    await t.bulk([{ sub: 'u-1', username: 'only' }]);
    const states = await t.bulk([{ sub: 'u-1', given_name: 'still has username' }]);
    expect(states[0]!.status).to.equal('UPDATED');
  });

  describe('with migrationMode on (the default)', () => {
    it('replaces a stored password hash', async () => {
      await t.bulk([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_A } })]);
      const states = await t.bulk([{ sub: 'u-1', password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_B } }]);
      expect(states[0]!.status).to.equal('UPDATED');
      expect(t.emu.getUser('u-1')!.password_hash_info!.passwordHash).to.equal(BCRYPT_B);
    });
  });

  describe('with migrationMode off', () => {
    const strict = useEmulator({ migrationMode: false });

    it('stores the first password of a user that has none', async () => {
      await strict.bulk([user(1)]);
      const states = await strict.bulk([{ sub: 'u-1', password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_A } }]);
      expect(states[0]!.status).to.equal('UPDATED');
      expect(strict.emu.getUser('u-1')!.password_hash_info!.passwordHash).to.equal(BCRYPT_A);
    });

    it('fails a password overwrite and leaves the whole user unchanged', async () => {
      await strict.bulk([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_A } })]);
      const states = await strict.bulk([{ sub: 'u-1', given_name: 'Changed', password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_B } }]);
      expect(states[0]).to.include({ sub: 'ANONYMOUS', status: 'FAILED', message: 'password overwrite requires migrationMode' });
      expect(strict.emu.getUser('u-1')).to.include({ given_name: 'Given1' });
      expect(strict.emu.getUser('u-1')!.password_hash_info!.passwordHash).to.equal(BCRYPT_A);
    });

    it('updates other fields of a user with a password when no hash is sent', async () => {
      await strict.bulk([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT_A } })]);
      const states = await strict.bulk([{ sub: 'u-1', given_name: 'Changed' }]);
      expect(states[0]!.status).to.equal('UPDATED');
      expect(strict.emu.getUser('u-1')).to.include({ given_name: 'Changed' });
    });
  });

  describe('with --max-batch 3', () => {
    const small = useEmulator({ maxBatch: 3 });

    it('answers 413 for 4 users and takes 3', async () => {
      const token = small.emu.issueToken();
      const four = await small.call('POST', '/users-srv/user/bulk', { body: [user(1), user(2), user(3), user(4)], token });
      expect(four.status).to.equal(413);
      const three = await small.call('POST', '/users-srv/user/bulk', { body: [user(1), user(2), user(3)], token });
      expect(three.status).to.equal(200);
    });
  });
});
