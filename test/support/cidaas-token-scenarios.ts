import { expect } from 'chai';
import { Secret } from '../../src/secret.js';
import type { ClientScenario } from './cidaas-client-fixture.js';
import { waitFor } from './wait-for.js';

const BULK = 'POST /users-srv/user/bulk';
const USER = 'GET /user-srv/users/{sub}';
const TOKEN = 'POST /token-srv/token';

/** The access-token behaviours of the cidaas client, by title. */
export const tokenScenarios: Record<string, ClientScenario> = {
  'fetches one access token and shares it across concurrent and later calls': {
    async run(h) {
      const c = h.client();
      await Promise.all(Array.from({ length: 8 }, (_, i) => c.getUser(`nobody-${i}`)));
      h.keep(await c.bulkUpsert(h.users(3)));
      h.keep(await c.search({ from: 0, size: 10 }));
      expect(h.emu.stats().tokensIssued).to.equal(1);
      expect(h.emu.stats().requests[TOKEN]).to.deep.equal({ 200: 1 });
    },
  },

  'renews the access token at 90% of its lifetime, before cidaas refuses it': {
    emulator: { tokenTtlSeconds: 2 },
    async run(h) {
      const tokenAt: number[] = [];
      const c = h.client({ observer: { onResponse: (i) => void (i.endpoint === 'token' && tokenAt.push(Date.now())) } });
      // The emulator's iat is in whole seconds: starting just after a second boundary gives
      // the token (almost) its full 2 s, so only a late renewal could meet a 401.
      await waitFor(() => Date.now() % 1000 < 50, { intervalMs: 1, timeoutMs: 2000 });
      await c.getUser('nobody');
      await waitFor(async () => (await c.getUser('nobody')) === null && tokenAt.length >= 2, { intervalMs: 20, timeoutMs: 5000 });
      const gap = tokenAt[1]! - tokenAt[0]!;
      expect(gap).to.be.within(1700, 1950);
      expect(h.emu.stats().requests[USER]).not.to.have.property('401');
    },
  },

  'renews the access token once after a 401 and repeats the call': {
    async run(h) {
      const c = h.client();
      await c.getUser('nobody');
      h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 401, times: 1 }]);
      const outcomes = h.keep(await c.bulkUpsert(h.users(2)));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['CREATED', 'CREATED']);
      expect(h.emu.stats().tokensIssued).to.equal(2);
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 401: 1, 200: 1 });
    },
  },

  'fails with CIDAAS_AUTH_FAILED when cidaas refuses the renewed token too': {
    async run(h) {
      const c = h.client();
      h.emu.addFaults([{ path: '/user-srv/users/*', status: 401, times: 5 }]);
      const err = await h.expectSyncError(c.getUser('nobody'));
      expect(err.code).to.equal('CIDAAS_AUTH_FAILED');
      expect(err.transient).to.equal(false);
      expect(h.emu.stats().tokensIssued).to.equal(2);
      expect(h.emu.stats().requests[USER]).to.deep.equal({ 401: 2 });
    },
  },

  'a wrong client secret fails with CIDAAS_AUTH_FAILED and a hint to check cidaas.clientSecret': {
    async run(h) {
      const c = h.client({ clientSecret: new Secret('wrong-secret-4b1d7e0c9a') });
      const err = await h.expectSyncError(c.bulkUpsert(h.users(1)));
      expect(err.code).to.equal('CIDAAS_AUTH_FAILED');
      expect(err.transient).to.equal(false);
      expect(err.message).to.contain(h.clientId).and.to.contain('invalid_client');
      expect(err.hint).to.match(/cidaas\.clientId and cidaas\.clientSecret/).and.to.match(/\$\{file:/);
      expect(h.emu.stats().requests[TOKEN]).to.deep.equal({ 401: 1 });
      expect(h.emu.stats().requests).not.to.have.property(BULK);
    },
  },

  'an unknown client id fails with CIDAAS_AUTH_FAILED naming that client': {
    async run(h) {
      const err = await h.expectSyncError(h.client({ clientId: 'no-such-client' }).getUser('x'));
      expect(err.code).to.equal('CIDAAS_AUTH_FAILED');
      expect(err.message).to.contain('"no-such-client"');
    },
  },

  'a client without cidaas:bulk_user_create gets CIDAAS_SCOPE_MISSING with the support hint': {
    emulator: { scopes: ['cidaas:users_read'] },
    async run(h) {
      const err = await h.expectSyncError(h.client().bulkUpsert(h.users(2)));
      expect(err.code).to.equal('CIDAAS_SCOPE_MISSING');
      expect(err.transient).to.equal(false);
      expect(err.message).to.contain('cidaas:bulk_user_create');
      expect(err.hint).to.equal(
        'ask cidaas support (support@cidaas.com) to enable migration mode and the cidaas:bulk_user_create scope for this client',
      );
    },
  },

  'a client without cidaas:users_delete or cidaas:users_read gets CIDAAS_SCOPE_MISSING naming that scope': {
    emulator: { scopes: ['cidaas:bulk_user_create'] },
    async run(h) {
      const c = h.client();
      const purge = await h.expectSyncError(c.purge('u-0'));
      expect(purge.code).to.equal('CIDAAS_SCOPE_MISSING');
      expect(purge.message).to.contain('cidaas:users_delete');
      expect(purge.hint).to.contain('support@cidaas.com').and.to.contain('cidaas.onDelete');
      const read = await h.expectSyncError(c.getUser('u-0'));
      expect(read.code).to.equal('CIDAAS_SCOPE_MISSING');
      expect(read.message).to.contain('cidaas:users_read');
      const search = await h.expectSyncError(c.search({ from: 0, size: 1 }));
      expect(search.hint).to.contain('cidaas:users_search');
    },
  },

  'tokenScopes lists the scopes cidaas granted the client': {
    emulator: { scopes: ['cidaas:bulk_user_create', 'cidaas:users_read'] },
    async run(h) {
      expect(await h.client().tokenScopes()).to.deep.equal(['cidaas:bulk_user_create', 'cidaas:users_read']);
    },
  },
};
