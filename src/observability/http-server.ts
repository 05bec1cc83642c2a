import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SyncMetrics } from './metrics.js';

/** Connections the listener holds at once; more are dropped. */
export const MAX_CONNECTIONS = 16;

/** What /readyz needs to know. */
export interface Readiness {
  /** Null when ready; otherwise why not, in a few words. */
  notReadyReason(): Promise<string | null>;
}

/**
 * `/metrics` (Prometheus text), `/healthz` (the process answers) and `/readyz` (streaming with a
 * lag under the threshold) on `http.port`.
 */
export async function startHttpServer(o: { port: number; host: string; metrics: SyncMetrics; readiness: Readiness }): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    void (async () => {
      try {
        if (url === '/metrics') {
          const body = await o.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': o.metrics.registry.contentType });
          res.end(body);
        } else if (url === '/healthz') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status":"ok"}');
        } else if (url === '/readyz') {
          const reason = await o.readiness.notReadyReason();
          res.writeHead(reason === null ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reason === null ? { status: 'ready' } : { status: 'not ready', reason }));
        } else {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":"not found; try /metrics, /healthz or /readyz"}');
        }
      } catch {
        // Never the error's text: it may name a database, a user or worse. The logs have it.
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal error; see the sidecar\'s log"}');
      }
    })();
  });
  // A scraper and a health check need a few connections; a flood must not cost memory or sockets.
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    server, port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
