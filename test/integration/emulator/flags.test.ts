import { expect } from 'chai';
import { Agent, request } from 'undici';
import { startEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { CLIENT_ID, CLIENT_SECRET, useEmulator, user } from './emulator-fixture.js';

describe('cidaas emulator: rate limit, latency, scopes and close', () => {
  describe('rateLimit (--rate-limit)', () => {
    // The limiter's clock stands still unless a test moves it: 12 concurrent requests are one
    // instant to it even when a loaded machine spreads their arrival over a second or more.
    let clock = 0;
    const t = useEmulator({ rateLimit: 5, clock: () => clock });

    it('answers 429 with Retry-After once a burst passes R API requests per second', async () => {
      const token = t.emu.issueToken();
      const answers = await Promise.all(Array.from({ length: 12 }, () => t.call('GET', '/user-srv/users/nobody', { token })));
      const limited = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 404).length).to.equal(5);
      expect(limited.length).to.equal(7);
      for (const a of limited) {
        expect(Number(a.headers.get('retry-after'))).to.be.at.least(1);
        expect(a.body).to.include({ success: false, status: 429 });
      }
      expect(t.emu.stats().rateLimited).to.equal(limited.length);
      clock += 200; // a fifth of a second: one request's worth
      expect((await t.call('GET', '/user-srv/users/nobody', { token })).status).to.equal(404);
      expect((await t.call('GET', '/user-srv/users/nobody', { token })).status).to.equal(429);
    });

    it('does not limit the token endpoint or the emulator endpoints', async () => {
      for (let i = 0; i < 8; i++) await t.token();
      for (let i = 0; i < 8; i++) expect((await t.call('GET', '/_emulator/stats')).status).to.equal(200);
      expect(t.emu.stats().rateLimited).to.equal(0);
    });
  });

  describe('latencyMs (--latency-ms)', () => {
    const t = useEmulator({ latencyMs: 200 });

    it('adds the latency to every API answer, errors included', async () => {
      for (const call of [() => t.bulk([user(1)]), () => t.call('GET', '/user-srv/users/u-1'), () => t.token()]) {
        const started = Date.now();
        await call();
        expect(Date.now() - started).to.be.at.least(190);
      }
    });

    it('answers concurrent calls in parallel, not one after another', async () => {
      const started = Date.now();
      await Promise.all(Array.from({ length: 10 }, (_, i) => t.bulk([user(i)])));
      expect(Date.now() - started).to.be.below(1500);
      expect(t.emu.userCount).to.equal(10);
    });

    it('adds nothing to the emulator endpoints', async () => {
      const started = Date.now();
      await t.call('GET', '/_emulator/stats');
      expect(Date.now() - started).to.be.below(150);
    });
  });

  describe('scopes (--scopes)', () => {
    const t = useEmulator({ scopes: ['cidaas:users_read'] });

    it('issues tokens with only the configured scopes', async () => {
      const token = await t.token();
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { scopes: string[] };
      expect(claims.scopes).to.deep.equal(['cidaas:users_read']);
      expect((await t.call('POST', '/users-srv/user/bulk', { body: [user(1)], token })).status).to.equal(403);
    });
  });

  describe('close()', () => {
    it('closes kept-alive connections and frees the port', async () => {
      const emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      const agent = new Agent({ keepAliveTimeout: 60_000 });
      try {
        const res = await request(`${emu.url}/_emulator/stats`, { dispatcher: agent });
        await res.body.dump();
        await emu.close();
        let error: unknown;
        try {
          await (await request(`${emu.url}/_emulator/stats`, { dispatcher: agent })).body.dump();
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(Error);
        const again = await startEmulator({ port: emu.port, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
        await again.close();
      } finally {
        await agent.close();
      }
    });

    it('refuses a port that is taken with a clear error', async () => {
      const emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      try {
        let error: unknown;
        try {
          await startEmulator({ port: emu.port, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.include(`port ${emu.port} is already in use`);
      } finally {
        await emu.close();
      }
    });

    it('refuses options out of range', async () => {
      for (const bad of [{ maxBatch: 0 }, { tokenTtlSeconds: -1 }, { rateLimit: 0 }, { latencyMs: -5 }, { clientSecret: '' }]) {
        let error: unknown;
        try {
          await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...bad });
        } catch (err) {
          error = err;
        }
        expect(error, JSON.stringify(bad)).to.be.instanceOf(Error);
      }
    });
  });
});
