import { expect } from 'chai';
import { useEmulator, user } from './emulator-fixture.js';

const BCRYPT = '$2b$10$' + 'a'.repeat(53);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';

describe('cidaas emulator: its own endpoints', () => {
  const t = useEmulator();

  describe('GET /_emulator/stats', () => {
    it('counts requests by endpoint and status, user outcomes and tokens issued', async () => {
      const token = await t.token();
      await t.bulk([user(1), user(2), { sub: 'x', email: 'bad' }]);
      await t.bulk([user(1)]);
      await t.call('DELETE', '/users-srv/user/purge/u-2', { token });
      await t.call('GET', '/user-srv/users/u-2', { token });
      await t.call('GET', '/user-srv/users/u-1');
      const res = await t.call('GET', '/_emulator/stats');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        requests: {
          'POST /token-srv/token': { '200': 1 },
          'POST /users-srv/user/bulk': { '200': 2 },
          'DELETE /users-srv/user/purge/{sub}': { '202': 1 },
          'GET /user-srv/users/{sub}': { '404': 1, '401': 1 },
        },
        users: { created: 2, updated: 1, failed: 1, deleted: 1 },
        tokensIssued: 1,
        faultsApplied: 0,
        rateLimited: 0,
        userCount: 1,
      });
      expect(t.emu.stats()).to.deep.equal(res.body);
    });
  });

  describe('POST /_emulator/reset', () => {
    it('empties the store, the faults and the stats', async () => {
      await t.bulk([user(1)]);
      t.emu.addFaults([{ failEmail: 'u2@example.com' }]);
      const res = await t.call('POST', '/_emulator/reset');
      expect(res.status).to.equal(200);
      expect(t.emu.userCount).to.equal(0);
      expect(t.emu.stats()).to.deep.include({ requests: {}, users: { created: 0, updated: 0, failed: 0, deleted: 0 }, userCount: 0 });
      expect((await t.bulk([user(2)]))[0]!.status).to.equal('CREATED');
    });
  });

  describe('POST /_emulator/users (seed) and GET /_emulator/users', () => {
    it('seeds complete users and lists them in sub order with password_hash_info and mfa', async () => {
      const seeded = [
        user(3, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT }, mfa: { totp: { secret: SECRET } } }),
        user(1, { createdTime: '2020-01-01T00:00:00Z', updatedTime: '2021-01-01T00:00:00Z' }),
        user(2),
      ];
      const res = await t.call('POST', '/_emulator/users', { body: seeded });
      expect(res.body).to.deep.equal({ success: true, status: 200, data: { seeded: 3 } });
      const list = await t.call('GET', '/_emulator/users');
      const users = list.body.data as Record<string, unknown>[];
      expect(users.map((u) => u['sub'])).to.deep.equal(['u-1', 'u-2', 'u-3']);
      expect(users[0]).to.include({ createdTime: '2020-01-01T00:00:00Z', updatedTime: '2021-01-01T00:00:00Z' });
      expect(users[2]).to.deep.include({ password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT } });
      expect(users[2]!['mfa']).to.deep.equal({ totp: { secret: SECRET, algorithm: 'SHA1', digits: 6, period: 30 } });
      expect(list.body['next']).to.equal(null);
    });

    it('takes {"users": [...]} too and replaces a stored user whole', async () => {
      await t.bulk([user(1, { nickname: 'Nick' })]);
      await t.call('POST', '/_emulator/users', { body: { users: [user(1)] } });
      expect(t.emu.getUser('u-1')).not.to.have.property('nickname');
    });

    it('pages with after, limit and next', async () => {
      t.emu.seed(Array.from({ length: 5 }, (_, i) => user(i)));
      const first = await t.call('GET', '/_emulator/users?limit=2');
      expect((first.body.data as { sub: string }[]).map((u) => u.sub)).to.deep.equal(['u-0', 'u-1']);
      expect(first.body['next']).to.equal('u-1');
      const second = await t.call('GET', `/_emulator/users?after=${first.body['next'] as string}&limit=2`);
      expect((second.body.data as { sub: string }[]).map((u) => u.sub)).to.deep.equal(['u-2', 'u-3']);
      const last = await t.call('GET', '/_emulator/users?after=u-3&limit=2');
      expect((last.body.data as { sub: string }[]).map((u) => u.sub)).to.deep.equal(['u-4']);
      expect(last.body['next']).to.equal(null);
    });

    it('refuses a seed with an invalid user and stores none of it', async () => {
      const res = await t.call('POST', '/_emulator/users', { body: [user(1), user(2, { email: 'bad' }), { email: 'nosub@example.com' }] });
      expect(res.status).to.equal(400);
      const message = (res.body['error'] as Record<string, unknown>)['error'] as string;
      expect(message).to.include('users[1]: invalid email passed').and.include('users[2]: sub is required');
      expect(t.emu.userCount).to.equal(0);
    });

    it('refuses a seed with two subs on one email', async () => {
      expect(() => t.emu.seed([user(1), user(2, { email: 'u1@example.com' })])).to.throw('email already exists');
      expect(t.emu.userCount).to.equal(0);
    });

    it('answers 400 for a limit out of range', async () => {
      expect((await t.call('GET', '/_emulator/users?limit=0')).status).to.equal(400);
    });
  });

  describe('GET /_emulator/users/{sub}', () => {
    it('returns one stored user in full', async () => {
      t.emu.seed([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT } })]);
      const res = await t.call('GET', '/_emulator/users/u-1');
      expect(res.body.data).to.deep.include({ sub: 'u-1', password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT } });
    });

    it('answers 404 for an unknown sub', async () => {
      expect((await t.call('GET', '/_emulator/users/nobody')).status).to.equal(404);
    });
  });

  describe('programmatic access', () => {
    it('reads users, their count and their order without HTTP', async () => {
      await t.bulk([user(2), user(1)]);
      expect(t.emu.userCount).to.equal(2);
      expect(t.emu.users().map((u) => u.sub)).to.deep.equal(['u-1', 'u-2']);
      expect(t.emu.getUser('u-2')).to.include({ email: 'u2@example.com' });
      expect(t.emu.getUser('u-3')).to.equal(undefined);
    });

    it('hands out stored users frozen', async () => {
      await t.bulk([user(1)]);
      expect(Object.isFrozen(t.emu.getUser('u-1'))).to.equal(true);
    });
  });

  it('answers 404 for an unknown emulator endpoint', async () => {
    expect((await t.call('GET', '/_emulator/nothing')).status).to.equal(404);
  });
});
