import { expect } from 'chai';
import { request } from 'undici';
import { useEmulator, user } from './emulator-fixture.js';

const BULK = '/users-srv/user/bulk';

describe('cidaas emulator: fault injection', () => {
  const t = useEmulator();
  const queue = async (rules: unknown[]): Promise<void> => {
    const res = await t.call('POST', '/_emulator/faults', { body: { rules } });
    expect(res.status).to.equal(200);
  };
  const bulkStatus = async (users: unknown[] = [user(1)]): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> =>
    t.call('POST', BULK, { body: users, token: t.emu.issueToken() });

  it('answers 429 with Retry-After for the next `times` matching requests, then normally', async () => {
    await queue([{ path: BULK, status: 429, retryAfter: 3, times: 2 }]);
    for (let i = 0; i < 2; i++) {
      const res = await bulkStatus();
      expect(res.status).to.equal(429);
      expect(res.headers.get('retry-after')).to.equal('3');
      expect(res.body).to.include({ success: false, status: 429 });
      expect(res.body['error']).to.include({ status: 429, type: 'TooManyRequestsException' });
    }
    expect((await bulkStatus()).status).to.equal(200);
    expect(t.emu.userCount).to.equal(1);
  });

  it('sends Retry-After: 1 on a 429 rule without retryAfter', async () => {
    await queue([{ path: BULK, status: 429, times: 1 }]);
    expect((await bulkStatus()).headers.get('retry-after')).to.equal('1');
  });

  it('sends no Retry-After on a 429 rule with retryAfter null', async () => {
    await queue([{ path: BULK, status: 429, retryAfter: null, times: 1 }]);
    const res = await bulkStatus();
    expect(res.status).to.equal(429);
    expect(res.headers.has('retry-after')).to.equal(false);
  });

  for (const status of [500, 502, 503, 504, 417]) {
    it(`answers ${status} with the service-error envelope and stores nothing`, async () => {
      await queue([{ path: BULK, status, times: 1 }]);
      const res = await bulkStatus();
      expect(res.status).to.equal(status);
      expect(res.body).to.include({ success: false, status });
      expect((res.body['error'] as Record<string, unknown>)['status']).to.equal(status);
      expect(t.emu.userCount).to.equal(0);
    });
  }

  it('answers 401 access denied on a 401 rule, as for an expired token', async () => {
    await queue([{ path: BULK, status: 401, times: 1 }]);
    const res = await bulkStatus();
    expect(res.status).to.equal(401);
    expect(res.body['error']).to.equal('Access denied for this resource');
  });

  it('delays the answer by delayMs and then handles the request', async () => {
    await queue([{ path: BULK, delayMs: 300, times: 1 }]);
    const started = Date.now();
    const res = await bulkStatus();
    expect(Date.now() - started).to.be.at.least(290);
    expect(res.status).to.equal(200);
    expect(t.emu.userCount).to.equal(1);
  });

  it('resets the connection without an answer on a drop rule, and answers the next request', async () => {
    await queue([{ path: BULK, drop: true, times: 1 }]);
    const send = (): ReturnType<typeof request> =>
      request(`${t.emu.url}${BULK}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.emu.issueToken()}` },
        body: JSON.stringify([user(1)]),
      });
    let error: unknown;
    try {
      await send();
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect(t.emu.userCount).to.equal(0);
    const next = await send();
    expect(next.statusCode).to.equal(200);
    await next.body.dump();
    expect(t.emu.stats().requests[`POST ${BULK}`]).to.deep.equal({ drop: 1, '200': 1 });
  });

  it('fails only the user with the failEmail, with its message, as often as times says', async () => {
    await queue([{ failEmail: 'U2@example.com', message: 'mailbox quarantined', times: 1 }]);
    const first = await t.bulk([user(1), user(2), user(3)]);
    expect(first.map((s) => s.status)).to.deep.equal(['CREATED', 'FAILED', 'CREATED']);
    expect(first[1]).to.include({ sub: 'ANONYMOUS', message: 'mailbox quarantined' });
    const second = await t.bulk([user(2)]);
    expect(second[0]!.status).to.equal('CREATED');
  });

  it('keeps a rule without times until reset', async () => {
    await queue([{ failEmail: 'u1@example.com' }]);
    for (let i = 0; i < 3; i++) expect((await t.bulk([user(1)]))[0]!.status).to.equal('FAILED');
    t.emu.reset();
    expect((await t.bulk([user(1)]))[0]!.status).to.equal('CREATED');
  });

  it('applies a rule without path to API calls but not to the token endpoint', async () => {
    await queue([{ status: 503, times: 1 }]);
    expect((await t.token()).length).to.be.greaterThan(0);
    expect((await bulkStatus()).status).to.equal(503);
  });

  it('matches a path prefix ending in * and a method', async () => {
    t.emu.seed([user(1)]);
    await queue([{ path: '/users-srv/user/purge/*', method: 'DELETE', status: 500, times: 1 }]);
    const token = t.emu.issueToken();
    expect((await t.call('GET', '/user-srv/users/u-1', { token })).status).to.equal(200);
    expect((await t.call('DELETE', '/users-srv/user/purge/u-1', { token })).status).to.equal(500);
    expect((await t.call('DELETE', '/users-srv/user/purge/u-1', { token })).status).to.equal(202);
  });

  it('applies rules in the order queued', async () => {
    await queue([
      { path: BULK, status: 503, times: 1 },
      { path: BULK, status: 429, times: 1 },
    ]);
    expect((await bulkStatus()).status).to.equal(503);
    expect((await bulkStatus()).status).to.equal(429);
    expect((await bulkStatus()).status).to.equal(200);
  });

  it('refuses a bad rule with 400 and queues none of the batch', async () => {
    const res = await t.call('POST', '/_emulator/faults', { body: { rules: [{ path: BULK, status: 503 }, { path: BULK, status: 200 }] } });
    expect(res.status).to.equal(400);
    expect((res.body['error'] as Record<string, unknown>)['error']).to.include('rules[1].status');
    expect((await bulkStatus()).status).to.equal(200);
  });

  it('lists queued rules with what is left of them and clears them on DELETE', async () => {
    await queue([{ path: BULK, status: 503, times: 2 }]);
    await bulkStatus();
    const listed = await t.call('GET', '/_emulator/faults');
    expect(listed.body.data).to.deep.equal([{ path: BULK, status: 503, times: 2, remaining: 1 }]);
    await t.call('DELETE', '/_emulator/faults');
    expect((await bulkStatus()).status).to.equal(200);
  });

  it('queues the same rules through addFaults as over HTTP', async () => {
    t.emu.addFaults([{ path: BULK, status: 502, times: 1 }]);
    expect((await bulkStatus()).status).to.equal(502);
    expect(() => t.emu.addFaults([{ path: 'no-slash', status: 502 }])).to.throw('path must start with /');
  });
});
