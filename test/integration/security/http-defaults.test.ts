import { expect } from 'chai';
import { request } from 'undici';
import { MAX_CONNECTIONS, startHttpServer } from '../../../src/observability/http-server.js';
import { SyncMetrics } from '../../../src/observability/metrics.js';
import { PipelineLiveness } from '../../../src/observability/pipeline-liveness.js';
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

describe('/healthz tells a wedged pipeline from a quiet one (#13)', () => {
  it('answers 200 while idle or moving, 503 once users are pending and nothing moved for http.wedgedSeconds', async () => {
    let now = 1_000_000;
    const metrics = new SyncMetrics();
    const liveness = new PipelineLiveness(metrics, 900_000, () => now);
    const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics, liveness, readiness: { notReadyReason: () => Promise.resolve(null) } });
    const health = async (): Promise<[number, string]> => {
      const r = await request(`http://127.0.0.1:${http.port}/healthz`);
      return [r.statusCode, await r.body.text()];
    };
    try {
      expect((await health())[0]).to.equal(200);
      now += 3_600_000; // an hour with nothing to do: quiet, not wedged
      expect((await health())[0]).to.equal(200);
      metrics.pendingUsers.set(12);
      now += 600_000;
      expect((await health())[0]).to.equal(200);
      now += 400_000; // 1000 s pending without a push
      const [status, body] = await health();
      expect(status).to.equal(503);
      expect(body).to.include('wedged').and.to.include('http.wedgedSeconds');
      metrics.pushes.inc({ outcome: 'updated' }); // progress: healthy again
      expect((await health())[0]).to.equal(200);
    } finally {
      await http.close();
    }
  });
});
