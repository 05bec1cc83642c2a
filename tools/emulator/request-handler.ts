import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from './admin-routes.js';
import { handleSetup } from './setup-routes.js';
import { matchApiRoute, runApiRoute } from './api-routes.js';
import type { EmulatorState } from './emulator-state.js';
import type { Reply } from './envelopes.js';
import { accessDenied, ErrorCodes, exceptionTypeFor, referenceNumber, serviceError } from './envelopes.js';
import type { ActiveFault } from './fault-injector.js';
import { servedByVariant } from './tenant-variant.js';
import { BodyTooLargeError, readBody, sendJson } from './http-io.js';

/** Bodies above this are answered 413 unread (a 1000-user batch is well below). */
const BODY_LIMIT = 32 * 1024 * 1024;
const TOKEN_PATH = '/token-srv/token';
const JWKS_PATH = '/.well-known/jwks.json';

/** Timers the handler waits on (latency, fault delays), cleared when the emulator closes. */
export class Timers {
  readonly #pending = new Set<NodeJS.Timeout>();

  /** Resolves after `ms`; never resolves when cleared first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      this.#pending.add(timer);
    });
  }

  /** Cancels every pending wait. */
  clear(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}

function faultReply(fault: ActiveFault & { status: number }): Reply {
  if (fault.status === 401) return accessDenied();
  const headers: Record<string, string> = {};
  if (fault.status === 429 && fault.retryAfter !== null) headers['retry-after'] = String(fault.retryAfter ?? 1);
  const message = fault.status === 429 ? 'too many requests (emulator fault rule)' : `emulator fault rule: status ${fault.status}`;
  return serviceError(fault.status, exceptionTypeFor(fault.status), message, fault.status === 429 ? ErrorCodes.rateLimited : ErrorCodes.fault, headers);
}

async function handleApi(state: EmulatorState, timers: Timers, req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
  const method = req.method ?? 'GET';
  const match = matchApiRoute(method, path);
  const endpoint = match?.route.endpoint ?? 'other';
  const fault = state.faults.takeRequestFault(method, path);
  if (fault?.delayMs) await timers.sleep(fault.delayMs);
  // After a fault's delay: when the call takes effect.
  const call = state.replicas.begin(req.headers, endpoint);
  if (fault?.drop) {
    state.stats.request(endpoint, 'drop');
    if (call) call.endedAt = Date.now();
    // RST rather than FIN: the client sees a connection reset mid-request.
    req.socket.resetAndDestroy();
    return;
  }
  let reply: Reply;
  const retryAfter = fault?.status === undefined && state.limiter && path !== TOKEN_PATH ? state.limiter.take() : 0;
  if (fault?.status !== undefined) {
    reply = faultReply({ ...fault, status: fault.status });
  } else if (retryAfter > 0) {
    state.stats.rateLimited++;
    reply = serviceError(429, 'TooManyRequestsException', `rate limit of ${state.config.rateLimit} requests/s exceeded`, ErrorCodes.rateLimited, {
      'retry-after': String(retryAfter),
    });
  } else if (!match || !servedByVariant(state.config.variant, match.route.endpoint)) {
    reply = serviceError(404, 'NotFoundException', `no endpoint ${method} ${path}`, ErrorCodes.notFound);
  } else {
    reply = await runApiRoute(state, match, req.headers, body);
  }
  // cidaas tags its answers with X-Ref-Number (the id cidaas support asks for); the emulator does on every error.
  if (reply.status >= 400) reply = { ...reply, headers: { ...reply.headers, 'x-ref-number': refNumberOf(reply.body) } };
  if (state.config.latencyMs > 0) await timers.sleep(state.config.latencyMs);
  state.stats.request(endpoint, reply.status);
  if (call) call.endedAt = Date.now();
  sendJson(res, reply.status, reply.body, reply.headers);
}

/** The reference number an error body carries (service error or 401), or a new one. */
function refNumberOf(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const b = body as { error?: { referenceNumber?: unknown }; refnumber?: unknown };
    if (typeof b.error === 'object' && typeof b.error.referenceNumber === 'string') return b.error.referenceNumber;
    if (typeof b.refnumber === 'string') return b.refnumber;
  }
  return referenceNumber();
}

/** The node:http request listener of an emulator. */
export function createRequestHandler(state: EmulatorState, timers: Timers): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://emulator');
        let body: Buffer;
        try {
          body = await readBody(req, BODY_LIMIT);
        } catch (err) {
          if (err instanceof BodyTooLargeError) {
            const reply = serviceError(413, 'UsersException', err.message, ErrorCodes.tooManyUsers);
            return sendJson(res, reply.status, reply.body);
          }
          throw err;
        }
        if (url.pathname === JWKS_PATH && state.faults.list().some((r) => r.path === JWKS_PATH)) {
          // Only a rule naming the JWKS path applies to it (a verifier's key fetch failing); API-wide rules do not.
          const fault = state.faults.takeRequestFault(req.method ?? 'GET', url.pathname);
          if (fault?.status !== undefined) {
            const reply = faultReply({ ...fault, status: fault.status });
            return sendJson(res, reply.status, reply.body, reply.headers);
          }
        }
        if (url.pathname.startsWith('/_emulator/') || url.pathname === JWKS_PATH || url.pathname === '/token-srv/introspect') {
          const reply = await handleAdmin(state, req.method ?? 'GET', url, body);
          return sendJson(res, reply.status, reply.body, reply.headers);
        }
        const setup = handleSetup(state, req.method ?? 'GET', url, req.headers, body);
        if (setup) {
          if (state.config.latencyMs > 0) await timers.sleep(state.config.latencyMs);
          if (setup.status === 204) return void res.writeHead(204, setup.headers ?? {}).end();
          return sendJson(res, setup.status, setup.body, setup.headers);
        }
        await handleApi(state, timers, req, res, url.pathname, body);
      } catch {
        // Never echo the error: it could carry a request body with a hash in it.
        const reply = serviceError(500, 'InternalServerException', 'internal emulator error', ErrorCodes.fault);
        sendJson(res, reply.status, reply.body);
      }
    })();
  };
}
