import { expect } from 'chai';
import { startHttpServer } from '../../../src/observability/http-server.js';
import { SyncMetrics } from '../../../src/observability/metrics.js';
import { writeShopConfig } from '../../support/test-config.js';
import { described, runCli } from '../cli/cli-run.js';

describe('cidaas-sync healthcheck follows http.port (#13)', function () {
  this.timeout(60_000);

  it('exits 0 while /healthz says ok and 1 once it says wedged, asking the configured port', async () => {
    let wedged: string | null = null;
    const http = await startHttpServer({
      port: 0, host: '127.0.0.1', metrics: new SyncMetrics(),
      readiness: { notReadyReason: () => Promise.resolve(null) },
      liveness: { wedgedReason: () => Promise.resolve(wedged) },
    });
    const config = await writeShopConfig({
      kind: 'postgres', sourceUrl: 'postgres://sync@127.0.0.1:1/shop', emulatorUrl: 'http://127.0.0.1:1', clientId: 'hc', clientSecret: 'hc-secret',
      extra: { http: { port: http.port, host: '0.0.0.0' } },
    });
    try {
      const ok = await runCli(['healthcheck', '--config', config.path]);
      expect(ok.code, described(ok)).to.equal(0);
      expect(ok.stdout).to.include('200');
      wedged = 'no progress for 1000 s';
      const bad = await runCli(['healthcheck', '--config', config.path]);
      expect(bad.code, described(bad)).to.equal(1);
      expect(bad.stdout).to.include('503').and.to.include('wedged');
    } finally {
      await http.close();
      await config.remove();
    }
  });
});
