import { expect } from 'chai';
import { useEmulator, user } from './emulator-fixture.js';

const BCRYPT = '$2b$10$' + 'a'.repeat(53);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';

describe('cidaas emulator: read, purge and search', () => {
  const t = useEmulator();

  describe('GET /user-srv/users/{sub}', () => {
    it('returns the stored fields without password_hash_info or the TOTP secret, with has_password and mfa.totp.enrolled', async () => {
      t.emu.seed([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT }, mfa: { totp: { secret: SECRET } } })]);
      const res = await t.call('GET', '/user-srv/users/u-1', { token: t.emu.issueToken() });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ success: true, status: 200 });
      const data = res.body.data as Record<string, unknown>;
      expect(data).to.include({ sub: 'u-1', email: 'u1@example.com', userStatus: 'VERIFIED', has_password: true });
      expect(data['createdTime']).to.be.a('string');
      expect(data['updatedTime']).to.be.a('string');
      expect(data).not.to.have.property('password_hash_info');
      expect(data['mfa']).to.deep.equal({ totp: { enrolled: true, algorithm: 'SHA1', digits: 6, period: 30 } });
      expect(JSON.stringify(res.body)).not.to.include(SECRET).and.not.to.include(BCRYPT);
    });

    it('answers has_password false and mfa.totp.enrolled false for a user without either', async () => {
      t.emu.seed([user(1)]);
      const res = await t.call('GET', '/user-srv/users/u-1', { token: t.emu.issueToken() });
      expect(res.body.data).to.deep.include({ has_password: false, mfa: { totp: { enrolled: false } } });
    });

    it('answers 404 with the service-error envelope for an unknown sub', async () => {
      const res = await t.call('GET', '/user-srv/users/nobody', { token: t.emu.issueToken() });
      expect(res.status).to.equal(404);
      expect(res.body).to.include({ success: false, status: 404 });
      expect((res.body['error'] as Record<string, unknown>)['status']).to.equal(404);
    });

    it('reads a sub that needs URL encoding', async () => {
      t.emu.seed([user(1, { sub: 'legacy/42 ä' })]);
      const res = await t.call('GET', `/user-srv/users/${encodeURIComponent('legacy/42 ä')}`, { token: t.emu.issueToken() });
      expect(res.status).to.equal(200);
      expect((res.body.data as Record<string, unknown>)['sub']).to.equal('legacy/42 ä');
    });
  });

  describe('DELETE /users-srv/user/purge/{sub}', () => {
    it('deletes the user at once and answers 202 {deleted: true}', async () => {
      t.emu.seed([user(1), user(2)]);
      const token = t.emu.issueToken();
      const res = await t.call('DELETE', '/users-srv/user/purge/u-1', { token });
      expect(res.status).to.equal(202);
      expect(res.body).to.deep.equal({ success: true, status: 202, data: { deleted: true } });
      expect(t.emu.getUser('u-1')).to.equal(undefined);
      expect(t.emu.userCount).to.equal(1);
      expect((await t.call('GET', '/user-srv/users/u-1', { token })).status).to.equal(404);
    });

    it('frees the email of the purged user', async () => {
      t.emu.seed([user(1)]);
      await t.call('DELETE', '/users-srv/user/purge/u-1', { token: t.emu.issueToken() });
      const states = await t.bulk([user(2, { email: 'u1@example.com' })]);
      expect(states[0]!.status).to.equal('CREATED');
    });

    it('answers 404 for an unknown sub', async () => {
      const res = await t.call('DELETE', '/users-srv/user/purge/nobody', { token: t.emu.issueToken() });
      expect(res.status).to.equal(404);
      expect(res.body['success']).to.equal(false);
    });

    it('needs the cidaas:users_delete scope', async () => {
      t.emu.seed([user(1)]);
      const res = await t.call('DELETE', '/users-srv/user/purge/u-1', { token: t.emu.issueToken(['cidaas:users_read']) });
      expect(res.status).to.equal(403);
      expect(t.emu.getUser('u-1')).to.exist;
    });
  });

  describe('POST /user-srv/graph/users', () => {
    const search = async (body: unknown): Promise<{ status: number; subs: string[]; total: unknown; body: Record<string, unknown> }> => {
      const res = await t.call('POST', '/user-srv/graph/users', { body, token: t.emu.issueToken() });
      const data = Array.isArray(res.body.data) ? (res.body.data as { sub: string }[]) : [];
      return { status: res.status, subs: data.map((u) => u.sub), total: res.body['total'], body: res.body };
    };
    const seedTwelve = (): void => t.emu.seed(Array.from({ length: 12 }, (_, i) => user(i + 10)));

    it('lists users in sub order with the total', async () => {
      t.emu.seed([user(3), user(1), user(2)]);
      const res = await search({ from: 0, size: 1000, sortfield: 'sub', descending: false });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ success: true, status: 200, total: 3 });
      expect(res.subs).to.deep.equal(['u-1', 'u-2', 'u-3']);
    });

    it('pages with from and size, ascending and descending', async () => {
      seedTwelve();
      expect((await search({ from: 10, size: 5 })).subs).to.deep.equal(['u-20', 'u-21']);
      expect((await search({ from: 0, size: 3, descending: true })).subs).to.deep.equal(['u-21', 'u-20', 'u-19']);
      expect((await search({ from: 2, size: 2 })).total).to.equal(12);
    });

    it('sees users created and purged since the last search', async () => {
      seedTwelve();
      await search({});
      await t.bulk([user(1)]);
      await t.call('DELETE', '/users-srv/user/purge/u-15', { token: t.emu.issueToken() });
      const res = await search({ size: 100 });
      expect(res.total).to.equal(12);
      expect(res.subs).to.include('u-1').and.not.include('u-15');
    });

    it('never returns password hashes or TOTP secrets', async () => {
      t.emu.seed([user(1, { password_hash_info: { algorithmTypeId: 'BCRYPT_10', passwordHash: BCRYPT }, mfa: { totp: { secret: SECRET } } })]);
      const res = await search({});
      expect(JSON.stringify(res.body)).not.to.include(SECRET).and.not.to.include(BCRYPT);
      expect(res.body.data).to.have.nested.property('[0].has_password', true);
    });

    it('matches terms exactly on sub or email, any of them', async () => {
      seedTwelve();
      const res = await search({ terms: ['u-11', 'U13@EXAMPLE.COM', 'nobody'] });
      expect(res.subs).to.deep.equal(['u-11', 'u-13']);
      expect(res.total).to.equal(2);
    });

    it('filters exactly with fieldsFilter, all filters together', async () => {
      t.emu.seed([user(1, { userStatus: 'LOCKED' }), user(2, { userStatus: 'LOCKED', family_name: 'X' }), user(3)]);
      const res = await search({ fieldsFilter: [{ field: 'userStatus', value: 'LOCKED' }, { field: 'family_name', value: ['X', 'Y'], exactMatch: true }] });
      expect(res.subs).to.deep.equal(['u-2']);
    });

    const refused: Record<string, unknown> = {
      'size above 1000': { from: 0, size: 1001 },
      'from + size above 10000': { from: 9500, size: 501 },
      'size 0': { size: 0 },
      'a negative from': { from: -1 },
      'a sortfield other than sub': { sortfield: 'email' },
      'an unsupported key': { groupsFilter: [] },
      'terms that are not strings': { terms: [{ field: 'sub', value: 'u-1' }] },
      'a partial-match filter': { fieldsFilter: [{ field: 'email', value: 'u1', exactMatch: false }] },
      'a body that is not an object': [1, 2],
    };
    for (const [what, body] of Object.entries(refused)) {
      it(`answers 400 for ${what}`, async () => {
        const res = await search(body);
        expect(res.status).to.equal(400);
        expect(res.body).to.include({ success: false, status: 400 });
      });
    }

    it('takes from + size of exactly 10000', async () => {
      // Past the last user nothing matches: cidaas answers 204 (#12).
      expect((await search({ from: 9000, size: 1000 })).status).to.equal(204);
    });
  });

  it('answers 404 for an API path it does not know', async () => {
    const res = await t.call('GET', '/users-srv/nothing', { token: t.emu.issueToken() });
    expect(res.status).to.equal(404);
    expect(res.body['success']).to.equal(false);
  });
});
