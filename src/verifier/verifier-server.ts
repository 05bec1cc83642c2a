import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import type { VerifierConfig } from '../../config/verifier-schema.js';
import { ExitCode, SyncError } from '../errors.js';
import type { CustomHashParams } from '../password/formats/custom-hash-format.js';
import { parseCompareRequest } from './compare-request.js';
import { HashWorkerPool } from './hash-worker-pool.js';
import { TenantTokenVerifier } from './tenant-token-verifier.js';
import { WorkLimiter } from './work-limiter.js';

/** How to start a verification service. */
export interface VerifierOptions {
  /** The cidaas tenant's base URL: tokens must come from it. */
  tenant: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Serve plain HTTP on an interface other than loopback (behind a TLS-terminating proxy). */
  allowPlainHttp?: boolean;
  /** The `verifier:` section (limits, Firebase parameters). */
  config: VerifierConfig;
  /** Where refusals and errors are reported; never receives a password, hash or token. */
  log?: (line: string) => void;
  /** Token verifier settings for tests (JWKS cache times). */
  tokenOptions?: { jwksTtlMs?: number; jwksRefreshMs?: number };
}

/** A started verifier. */
export interface RunningVerifier {
  /** Base URL; cidaas is configured with it (it appends `?action=compare`). */
  readonly url: string;
  /** Counters for tests and the bench. */
  stats(): VerifierStats;
  /** Stops accepting, lets running checks finish, closes every connection. */
  close(): Promise<void>;
}

/** What a verifier has answered since it started (for tests and the bench; no per-user data). */
export interface VerifierStats {
  verified: number;
  refused: number;
  unauthorized: number;
  busy: number;
  badRequests: number;
}

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/;

function usage(message: string, hint?: string): SyncError {
  return new SyncError('USAGE', message, { exitCode: ExitCode.config, ...(hint ? { hint } : {}) });
}

function paramsOf(config: VerifierConfig): CustomHashParams {
  const f = config.firebaseScrypt;
  if (f === undefined) return {};
  return {
    firebaseScrypt: {
      signerKey: Buffer.from(f.signerKey.reveal(), 'base64'),
      saltSeparator: Buffer.from(f.saltSeparator, 'base64'),
      rounds: f.rounds,
      memCost: f.memCost,
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' });
  res.end(payload);
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        // Stop reading a body we will not use: the 413 goes out and the socket closes.
        req.pause();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Starts `cidaas-sync verifier`: cidaas's custom password verification contract
 * (`POST <url>?action=compare`) for every CUSTOM_ format this product pushes, plus
 * `GET /healthz`. See the README section "Passwords" for deployment.
 */
export async function startVerifier(options: VerifierOptions): Promise<RunningVerifier> {
  const host = options.host ?? '127.0.0.1';
  if (options.tls === undefined && !options.allowPlainHttp && !LOOPBACK.test(host)) {
    throw usage(
      `the verifier receives plaintext passwords: it serves plain HTTP only on loopback, not on ${host}`,
      'give --tls-cert and --tls-key, or --allow-plain-http when a TLS-terminating proxy sits in front of it',
    );
  }
  const tokens = new TenantTokenVerifier({ tenant: options.tenant, ...options.tokenOptions });
  const limiter = new WorkLimiter(options.config.maxConcurrent, options.config.maxQueue);
  const params = paramsOf(options.config);
  const pool = new HashWorkerPool(options.config.maxConcurrent, params);
  const log = options.log ?? (() => undefined);
  const stats: VerifierStats = { verified: 0, refused: 0, unauthorized: 0, busy: 0, badRequests: 0 };
  const inFlight = new Set<Promise<void>>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://verifier');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      return send(res, 200, { ok: true, running: limiter.running, waiting: limiter.waiting });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'only POST ?action=compare' }, { allow: 'POST' });
    if (url.searchParams.get('action') !== 'compare') {
      stats.badRequests++;
      return send(res, 400, { error: 'unknown action: this service answers ?action=compare' });
    }
    const token = await tokens.checkHeader(req.headers.authorization);
    if (!token.ok) {
      if (token.unavailable) {
        log(`verifier: cannot check a token: ${token.reason}`);
        return send(res, 503, { error: 'the tenant could not be asked about the token' }, { 'retry-after': '5' });
      }
      stats.unauthorized++;
      log(`verifier: 401: ${token.reason}`);
      return send(res, 401, { error: 'a bearer token issued by the tenant is required' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const body = declared > options.config.maxBodyBytes ? undefined : await readLimited(req, options.config.maxBodyBytes);
    if (body === undefined) {
      stats.badRequests++;
      log(`verifier: 413: body above ${options.config.maxBodyBytes} bytes`);
      return send(res, 413, { error: `the body is larger than ${options.config.maxBodyBytes} bytes` }, { connection: 'close' });
    }
    const request = parseCompareRequest(body);
    if ('error' in request) {
      stats.badRequests++;
      log(`verifier: 400: ${request.error}`);
      return send(res, 400, { error: request.error });
    }
    const { format, hash, salt, password } = request;
    const problem = format.problem(hash, salt, params);
    if (problem !== undefined) {
      // A hash that cannot be checked cannot match: the login fails, the log says why.
      stats.refused++;
      log(`verifier: ${format.id}: not checkable: ${problem}`);
      return send(res, 200, { data: { verified: false } });
    }
    const work = limiter.run(() => pool.verify(format.id, hash, salt, password));
    if (work === undefined) {
      stats.busy++;
      log(`verifier: 503: ${limiter.running} checks running and ${limiter.waiting} waiting`);
      return send(res, 503, { error: 'too many password checks at once; retry' }, { 'retry-after': '1' });
    }
    const verified = await work;
    if (verified) stats.verified++;
    else stats.refused++;
    send(res, 200, { data: { verified } });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const done = handle(req, res)
      .catch(() => send(res, 500, { error: 'internal verifier error' }))
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? usage(`port ${options.port} is already in use`, 'choose another --port') : err),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  }).catch(async (err: unknown) => {
    await pool.close();
    throw err;
  });
  const address = server.address() as AddressInfo;
  const shownHost = isIP(address.address) === 6 ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    stats: () => ({ ...stats }),
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await closed;
        await pool.close();
      })()),
  };
}
