import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { CidaasTransport } from '../../../src/cidaas/cidaas-transport.js';
import { RetryPolicy } from '../../../src/cidaas/retry-policy.js';
import { SyncError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { pollUntil } from '../../../tools/throwaway/poll-until.js';

/**
 * Issue #14, the stale push of a paused holder, cut down: a push prepared while the lease was held
 * (its headers, with the lease checked, computed), then held up before it reached its connection
 * (here: waiting for the pool's only connection; in the chaos run: a process paused while its
 * connection was being made), and the lease lost meanwhile. Once the connection is free the push
 * would go out with the old holder's data after the new holder's push of newer data, and cidaas
 * applies what comes last. The transport's send guard checks the lease again as the request is
 * written: it never leaves.
 */
describe('a push held up past the lease is never sent (#14)', () => {
  let server: Server;
  let baseUrl: string;
  const received: string[] = [];
  let held: ServerResponse | null = null;

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        received.push(req.url ?? '');
        if (received.length === 1) held = res;
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('aborts, unsent, a push that waited for its connection while the lease ran out', async () => {
    let leaseHeld = true;
    const assertHeld = (): void => {
      if (!leaseHeld) throw new SyncError('LEASE_LOST', 'this replica no longer holds the lease: it ran out before it could be renewed');
    };
    const transport = new CidaasTransport({
      baseUrl, connections: 1, requestTimeoutMs: 10_000, retry: new RetryPolicy({ maxAttempts: 1 }), logger: silentLogger, beforeSend: assertHeld,
    });
    // The lease is checked when each call is prepared too, as the client's requestHeaders do.
    const push = (path: string): Promise<unknown> => transport.exchange({
      endpoint: 'bulk', method: 'POST', path, body: '{"users":[]}', contentType: 'application/json',
      headers: async () => {
        assertHeld();
        return { 'x-cidaas-sync-fence': '7' };
      },
    });
    try {
      const first = push('/first');
      await pollUntil(() => held !== null, { timeoutMs: 10_000 });
      // Prepared under the lease; it waits for the pool's only connection, busy with the first.
      const stale = push('/stale').then(() => null, (err: unknown) => err);
      // The lease runs out (this process was paused past it), then the connection frees up.
      leaseHeld = false;
      held!.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      expect((await first as { status: number }).status).to.equal(200);
      const err = await stale;
      expect(err).to.be.instanceOf(SyncError);
      expect((err as SyncError).code).to.equal('LEASE_LOST');
      // Nothing reached the server after the lease ran out (a new request would be on the same, now free, connection).
      expect(received).to.deep.equal(['/first']);
      leaseHeld = true;
      await push('/after');
      expect(received).to.deep.equal(['/first', '/after']);
    } finally {
      await transport.close();
    }
  });
});
