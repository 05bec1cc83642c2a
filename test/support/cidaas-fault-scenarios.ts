import { expect } from 'chai';
import type { CidaasCallObserver } from '../../src/cidaas/cidaas-call-observer.js';
import type { ClientScenario } from './cidaas-client-fixture.js';

const BULK = 'POST /users-srv/user/bulk';

type Event = { kind: 'response' | 'throttled' | 'retry'; info: Record<string, unknown> };

/** An observer that records every callback, in order. */
function recorder(): { observer: CidaasCallObserver; events: Event[]; of(kind: Event['kind']): Record<string, unknown>[] } {
  const events: Event[] = [];
  return {
    events,
    observer: {
      onResponse: (info) => void events.push({ kind: 'response', info }),
      onThrottled: (info) => void events.push({ kind: 'throttled', info }),
      onRetry: (info) => void events.push({ kind: 'retry', info }),
    },
    of: (kind) => events.filter((e) => e.kind === kind).map((e) => e.info),
  };
}

/** The transient-failure behaviours of the cidaas client, by title. */
export const faultScenarios: Record<string, ClientScenario> = {
  'repeats a call throttled with 429 after the Retry-After cidaas names': {
    async run(h) {
      const rec = recorder();
      h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 429, retryAfter: 1, times: 1 }]);
      const started = Date.now();
      const outcomes = h.keep(await h.client({ observer: rec.observer }).bulkUpsert(h.users(2)));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['CREATED', 'CREATED']);
      expect(Date.now() - started).to.be.at.least(1000);
      expect(rec.of('throttled')).to.deep.equal([{ endpoint: 'bulk', retryAfterMs: 1000 }]);
      expect(rec.of('retry')[0]?.delayMs).to.be.at.least(1000);
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 429: 1, 200: 1 });
    },
  },

  'repeats a call throttled with 429 without Retry-After after its own backoff': {
    async run(h) {
      const rec = recorder();
      h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 429, retryAfter: null, times: 2 }]);
      const outcomes = h.keep(await h.client({ observer: rec.observer }).bulkUpsert(h.users(1)));
      expect(outcomes[0]?.status).to.equal('CREATED');
      expect(rec.of('throttled')).to.deep.equal([{ endpoint: 'bulk' }, { endpoint: 'bulk' }]);
      for (const retry of rec.of('retry')) expect(retry.delayMs).to.be.within(0, 20);
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 429: 2, 200: 1 });
    },
  },

  'repeats a call that failed with 5xx': {
    async run(h) {
      const rec = recorder();
      h.emu.addFaults([
        { path: '/users-srv/user/bulk', status: 503, times: 1 },
        { path: '/users-srv/user/bulk', status: 500, times: 1 },
      ]);
      const outcomes = h.keep(await h.client({ observer: rec.observer }).bulkUpsert(h.users(2)));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['CREATED', 'CREATED']);
      expect(rec.of('retry').map((r) => r.reason)).to.deep.equal(['HTTP 503', 'HTTP 500']);
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 503: 1, 500: 1, 200: 1 });
    },
  },

  'repeats a token request that failed with 5xx or a dropped connection': {
    async run(h) {
      h.emu.addFaults([{ path: '/token-srv/token', status: 502, times: 1 }, { path: '/token-srv/token', drop: true, times: 1 }]);
      expect(await h.client().getUser('nobody')).to.equal(null);
      expect(h.emu.stats().requests['POST /token-srv/token']).to.deep.equal({ 502: 1, drop: 1, 200: 1 });
      expect(h.emu.stats().tokensIssued).to.equal(1);
    },
  },

  'repeats a call whose answer does not come within requestTimeoutMs': {
    async run(h) {
      const rec = recorder();
      h.emu.addFaults([{ path: '/users-srv/user/bulk', delayMs: 5000, times: 1 }]);
      const started = Date.now();
      const c = h.client({ observer: rec.observer, requestTimeoutMs: 300 });
      const outcomes = h.keep(await c.bulkUpsert(h.users(2)));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['CREATED', 'CREATED']);
      expect(Date.now() - started).to.be.within(300, 2500);
      expect(rec.of('retry').map((r) => r.reason)).to.deep.equal(['timeout']);
    },
  },

  'repeats a call whose connection cidaas dropped': {
    async run(h) {
      const rec = recorder();
      h.emu.addFaults([{ path: '/users-srv/user/bulk', drop: true, times: 1 }]);
      const outcomes = h.keep(await h.client({ observer: rec.observer }).bulkUpsert(h.users(2)));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['CREATED', 'CREATED']);
      expect(rec.of('retry').map((r) => r.reason)).to.have.lengthOf(1);
      expect(String(rec.of('retry')[0]?.reason)).to.match(/^connection lost/);
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ drop: 1, 200: 1 });
    },
  },

  'gives up with a transient CIDAAS_UNAVAILABLE once the retry budget is spent': {
    async run(h) {
      h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 503 }]);
      const c = h.client({ retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
      const err = await h.expectSyncError(c.bulkUpsert(h.users(2)));
      expect(err.code).to.equal('CIDAAS_UNAVAILABLE');
      expect(err.transient).to.equal(true);
      expect(err.message).to.contain('3 attempts').and.to.contain('HTTP 503');
      expect(err.hint).to.contain('stay dirty');
      expect(h.emu.stats().requests[BULK]).to.deep.equal({ 503: 3 });
      expect(h.emu.userCount).to.equal(0);
    },
  },

  'gives up with a transient CIDAAS_RATE_LIMITED when cidaas keeps throttling': {
    async run(h) {
      h.emu.addFaults([{ path: '/users-srv/user/purge/*', status: 429, retryAfter: null }]);
      const c = h.client({ retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
      const err = await h.expectSyncError(c.purge('u-0'));
      expect(err.code).to.equal('CIDAAS_RATE_LIMITED');
      expect(err.transient).to.equal(true);
      expect(err.hint).to.contain('cidaas.concurrency');
    },
  },

  'gives up with a transient CIDAAS_UNAVAILABLE when the connection keeps dropping': {
    async run(h) {
      h.emu.addFaults([{ path: '/user-srv/users/*', drop: true }]);
      const err = await h.expectSyncError(h.client({ retry: { maxAttempts: 2, baseDelayMs: 5 } }).getUser('u-0'));
      expect(err.code).to.equal('CIDAAS_UNAVAILABLE');
      expect(err.transient).to.equal(true);
      expect(err.message).to.contain('connection lost');
    },
  },

  'reports every response, throttle and retry to the observer': {
    async run(h) {
      const rec = recorder();
      h.emu.addFaults([{ path: '/users-srv/user/bulk', status: 429, retryAfter: 0, times: 1 }]);
      await h.client({ observer: rec.observer }).bulkUpsert(h.users(1));
      const shape = rec.events.map((e) => `${e.kind} ${String(e.info.endpoint)} ${String(e.info.status ?? e.info.reason ?? e.info.retryAfterMs)}`);
      expect(shape).to.deep.equal(['response token 200', 'response bulk 429', 'throttled bulk 0', 'retry bulk HTTP 429', 'response bulk 200']);
      expect(rec.of('retry')[0]).to.include({ attempt: 1 });
      for (const r of rec.of('response')) expect(r.latencyMs).to.be.a('number').and.at.least(0);
    },
  },
};
