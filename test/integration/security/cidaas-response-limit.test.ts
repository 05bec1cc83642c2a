import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CidaasTransport } from '../../../src/cidaas/cidaas-transport.js';
import { RetryPolicy } from '../../../src/cidaas/retry-policy.js';
import { silentLogger } from '../../../src/observability/logger.js';

describe('the cidaas client reads at most a bounded answer (#13)', () => {
  let server: Server;
  let base: string;
  before(async () => {
    // A peer that streams 1 MB of JSON for any request.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'x'.repeat(1024 * 1024) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)); });

  it('refuses a body above the limit and reads one below it', async () => {
    const transport = (maxResponseBytes: number) => new CidaasTransport({
      baseUrl: base, connections: 1, requestTimeoutMs: 10_000, retry: new RetryPolicy({ maxAttempts: 1 }), logger: silentLogger, maxResponseBytes,
    });
    const small = transport(64 * 1024);
    try {
      const err = await small.exchange({ endpoint: 'token', method: 'POST', path: '/token-srv/token' }).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).to.include('more than 65536 bytes');
    } finally {
      await small.close();
    }
    const large = transport(2 * 1024 * 1024);
    try {
      expect((await large.exchange({ endpoint: 'token', method: 'POST', path: '/token-srv/token' })).status).to.equal(200);
    } finally {
      await large.close();
    }
  });
});
