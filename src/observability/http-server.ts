import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RetryResult } from '../dlq/retry-dead-letters.js';
import type { Secret } from '../secret.js';
import type { LiveStatusBoard } from './live-status.js';
import type { SyncMetrics } from './metrics.js';
import { STATUS_PAGE_HTML, STATUS_PAGE_SCRIPT } from './status-page.js';

/** Connections the listener holds at once; more are dropped. */
export const MAX_CONNECTIONS = 16;

/** What /readyz needs to know. */
export interface Readiness {
  /** Null when ready; otherwise why not, in a few words. */
  notReadyReason(): Promise<string | null>;
  /** High availability: `active` or `standby`, added to the /readyz answer. */
  role?(): string;
}

/** The status page's one action: retry dead letters, by key or by reason. */
export interface StatusActions {
  /** The bearer token every action must carry. */
  readonly token: Secret;
  /** Retries the given keys, or every dead letter with this exact reason. */
  retry(selection: { keys?: string[]; reason?: string }): Promise<RetryResult[]>;
}

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  port: number;
  host: string;
  metrics: SyncMetrics;
  readiness: Readiness;
  /** The status page at `/` and `/status.json`; without it `/` answers 404. */
  live?: LiveStatusBoard;
  /** Set only with `http.allowActions`; without it every action answers 403. */
  actions?: StatusActions;
  /** When given, /healthz answers 503 while it reports the pipeline wedged. */
  liveness?: { wedgedReason(): Promise<string | null> };
}

const MAX_ACTION_BODY = 64 * 1024;
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function sameToken(given: string, expected: Secret): boolean {
  // Compare digests so that neither the length nor the content leaks through timing.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected.reveal()).digest();
  return timingSafeEqual(a, b);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ACTION_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function retryAction(req: IncomingMessage, res: ServerResponse, actions: StatusActions | undefined): Promise<void> {
  if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
  if (!actions) return json(res, 403, { error: 'actions are off; set http.allowActions and http.actionToken to allow them' });
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), actions.token)) return json(res, 401, { error: 'a valid action token is needed' });
  const raw = await readBody(req);
  if (raw === null) return json(res, 413, { error: 'body too large' });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return json(res, 400, { error: 'the body must be JSON: {"keys": ["42"]} or {"reason": "..."}' });
  }
  const b = (body ?? {}) as { keys?: unknown; reason?: unknown };
  const keys = Array.isArray(b.keys) && b.keys.length > 0 && b.keys.length <= 1000 && b.keys.every((k) => typeof k === 'string') ? (b.keys as string[]) : undefined;
  const reason = typeof b.reason === 'string' && b.reason.length > 0 ? b.reason : undefined;
  if ((keys === undefined) === (reason === undefined)) return json(res, 400, { error: 'give exactly one of "keys" (1 to 1000 legacy keys) or "reason"' });
  const results = await actions.retry(keys ? { keys } : { reason: reason! });
  json(res, 200, { results });
}

/**
 * `/metrics` (Prometheus text), `/healthz` (the process answers), `/readyz` (streaming with a
 * lag under the threshold) and, when given a live status board, the operators' page at `/`
 * with its data at `/status.json`, on `http.port`.
 */
export async function startHttpServer(o: HttpServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    void (async () => {
      try {
        if (url === '/metrics') {
          o.live?.refreshGauges();
          const body = await o.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': o.metrics.registry.contentType });
          res.end(body);
        } else if (url === '/healthz') {
          const wedged = (await o.liveness?.wedgedReason()) ?? null;
          res.writeHead(wedged === null ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(wedged === null ? { status: 'ok' } : { status: 'wedged', reason: wedged }));
        } else if (url === '/readyz') {
          const reason = await o.readiness.notReadyReason();
          const role = o.readiness.role ? { role: o.readiness.role() } : {};
          res.writeHead(reason === null ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reason === null ? { status: 'ready', ...role } : { status: 'not ready', reason, ...role }));
        } else if (o.live && (url === '/' || url === '/index.html')) {
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS,
            'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'",
          });
          res.end(STATUS_PAGE_HTML);
        } else if (o.live && url === '/status.js') {
          res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...SECURITY_HEADERS });
          res.end(STATUS_PAGE_SCRIPT);
        } else if (o.live && url === '/status.json') {
          json(res, 200, await o.live.snapshot());
        } else if (url === '/actions/dlq-retry') {
          await retryAction(req, res, o.actions);
        } else {
          json(res, 404, { error: `not found; try ${o.live ? '/, /status.json, ' : ''}/metrics, /healthz or /readyz` });
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
