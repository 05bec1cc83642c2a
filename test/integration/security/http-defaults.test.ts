import { expect } from 'chai';
import { request } from 'undici';
import { MAX_CONNECTIONS, startHttpServer } from '../../../src/observability/http-server.js';
import { SyncMetrics } from '../../../src/observability/metrics.js';
import { minimalConfig, parse } from '../../unit/config/config-test-helpers.js';

describe('HTTP listener defaults (#13)', () => {
  it('binds 127.0.0.1 unless http.host says otherwise', async () => {
    expect((await parse(minimalConfig())).http.host).to.equal('127.0.0.1');
    expect((await parse({ ...minimalConfig(), http: { host: '0.0.0.0' } })).http.host).to.equal('0.0.0.0');
  });

  it('caps its connections and answers a failure without its text', async () => {
    const http = await startHttpServer({
      port: 0, host: '127.0.0.1', metrics: new SyncMetrics(),
      readiness: { notReadyReason: () => Promise.reject(new Error('cannot reach postgres://sync:Db-Pw-4711@db/shop')) },
    });
    try {
      expect(http.server.maxConnections).to.equal(MAX_CONNECTIONS);
      expect(http.server.address()).to.include({ address: '127.0.0.1' });
      const r = await request(`http://127.0.0.1:${http.port}/readyz`);
      const body = await r.body.text();
      expect(r.statusCode).to.equal(500);
      expect(body).to.not.include('Db-Pw-4711').and.not.include('postgres://');
    } finally {
      await http.close();
    }
  });
});
