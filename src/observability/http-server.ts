import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SyncMetrics } from './metrics.js';

/** What /readyz needs to know. */
export interface Readiness {
  /** Null when ready; otherwise why not, in a few words. */
  notReadyReason(): Promise<string | null>;
  /** High availability: `active` or `standby`, added to the /readyz answer. */
  role?(): string;
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
          const role = o.readiness.role ? { role: o.readiness.role() } : {};
          res.writeHead(reason === null ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reason === null ? { status: 'ready', ...role } : { status: 'not ready', reason, ...role }));
        } else {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":"not found; try /metrics, /healthz or /readyz"}');
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (err as Error).message }));
      }
    })();
  });
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
