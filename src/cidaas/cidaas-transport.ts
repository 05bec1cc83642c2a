import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { ExitCode, SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { CidaasCallObserver, CidaasEndpoint } from './cidaas-call-observer.js';
import { exhausted } from './cidaas-errors.js';
import { parseRetryAfter, retryableError, retryableStatus, type RetryPolicy } from './retry-policy.js';
import { MAX_RESPONSE_BYTES, readLimitedBody } from './read-limited-body.js';
import { EMULATOR_HEADER } from './emulator-header.js';
import { sendGuard } from './send-guard.js';

/** One HTTP exchange with cidaas, as the client and the token provider describe it. */
export interface CidaasRequest {
  endpoint: CidaasEndpoint;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL, starting with `/`. */
  path: string;
  /** Request body, already encoded. Never logged. */
  body?: string;
  contentType?: string;
  /** Headers computed per attempt (the access token may be renewed between attempts). */
  headers?: () => Promise<Record<string, string>>;
}

/** A response that is not worth repeating unchanged: 2xx, 4xx but 408/429. */
export interface CidaasReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when empty or not JSON. */
  body: unknown;
  latencyMs: number;
}

/** What {@link CidaasTransport} needs. */
export interface CidaasTransportOptions {
  baseUrl: string;
  connections: number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  observer?: CidaasCallObserver;
  /** Accept a peer that says it is the cidaas-sync emulator (tests, demo, benchmarks); default false. */
  allowEmulator?: boolean;
  /** Largest response body read; default {@link MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /**
   * Runs as each request is written to its connection (see send-guard.ts); a throw abandons the
   * call unsent, unrepeated, with what was thrown. High availability: the lease must still be held.
   */
  beforeSend?: () => void;
}

/**
 * HTTP to one cidaas tenant: a keep-alive undici Pool, a timeout per attempt, and
 * repetition with backoff of what failed transiently (429, 408, 5xx, timeouts, dropped
 * connections) up to the retry budget, then a transient SyncError.
 */
export class CidaasTransport {
  readonly #pool: Pool;
  /** The pool, behind the {@link CidaasTransportOptions.beforeSend} guard when there is one. */
  readonly #dispatcher: Dispatcher;
  readonly #prefix: string;
  readonly #options: CidaasTransportOptions;
  readonly #closing = new AbortController();

  constructor(options: CidaasTransportOptions) {
    // Every sleeping retry listens for close: many at once are expected, not a leak.
    setMaxListeners(0, this.#closing.signal);
    const url = new URL(options.baseUrl);
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#options = options;
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: Math.min(options.requestTimeoutMs, 10_000) },
    });
    this.#dispatcher = options.beforeSend ? this.#pool.compose(sendGuard(options.beforeSend)) : this.#pool;
  }

  /** Sends `request`, repeating it while it fails transiently. Throws CIDAAS_UNAVAILABLE / CIDAAS_RATE_LIMITED when the budget runs out. */
  async exchange(request: CidaasRequest): Promise<CidaasReply> {
    const { retry, logger, requestTimeoutMs } = this.#options;
    const { endpoint } = request;
    for (let attempt = 1; ; attempt++) {
      if (this.#closing.signal.aborted) throw closedError(endpoint);
      const headers: Record<string, string> = { accept: 'application/json', ...(await request.headers?.()) };
      if (request.contentType) headers['content-type'] = request.contentType;
      const started = performance.now();
      let reason: string;
      let retryAfterMs: number | undefined;
      let cause: unknown;
      let status: number | undefined;
      let lastRef: string | undefined;
      // undici's headersTimeout/bodyTimeout run on its coarse timers (about 1 s
      // resolution); the signal keeps short timeouts short and bounds headers + body.
      const deadline = AbortSignal.timeout(requestTimeoutMs);
      try {
        const res = await this.#dispatcher.request({
          path: this.#prefix + request.path,
          method: request.method,
          headers,
          body: request.body,
          headersTimeout: requestTimeoutMs,
          bodyTimeout: requestTimeoutMs,
          signal: deadline,
        });
        if (res.headers[EMULATOR_HEADER] !== undefined && this.#options.allowEmulator !== true) {
          await res.body.dump().catch(() => undefined);
          throw new SyncError('CIDAAS_AUTH_FAILED', `cidaas.baseUrl (${this.#options.baseUrl}) is the cidaas-sync emulator, not a cidaas tenant: it would keep every password hash and TOTP secret in memory, unprotected`, {
            hint: 'point cidaas.baseUrl at your tenant; for tests and demos only, set cidaas.allowEmulator: true',
            exitCode: ExitCode.config,
          });
        }
        const text = await readLimitedBody(res.body, this.#options.maxResponseBytes ?? MAX_RESPONSE_BYTES, endpoint);
        const latencyMs = Math.round(performance.now() - started);
        status = res.statusCode;
        this.#notify('onResponse', { endpoint, status, latencyMs });
        const refNumber = res.headers['x-ref-number'];
        logger.debug('cidaas answered', { endpoint, status, latencyMs, attempt, ...(refNumber === undefined ? {} : { refNumber }) });
        const why = retryableStatus(status);
        if (why === undefined) return { status, headers: res.headers, body: parseJson(text), latencyMs };
        reason = why;
        lastRef = typeof refNumber === 'string' ? refNumber : undefined;
        if (status === 429) {
          retryAfterMs = parseRetryAfter(res.headers['retry-after']);
          this.#notify('onThrottled', { endpoint, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
        }
      } catch (err) {
        if (err instanceof SyncError) throw err;
        const why = deadline.aborted ? 'timeout' : retryableError(err);
        if (why === undefined) {
          if (this.#closing.signal.aborted) throw closedError(endpoint);
          throw new SyncError('CIDAAS_UNAVAILABLE', `calling cidaas ${endpoint} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        reason = why;
        cause = err;
      }
      if (attempt >= retry.maxAttempts) throw exhausted(endpoint, attempt, reason, status === 429, cause);
      const delayMs = retry.delayMs(attempt, retryAfterMs);
      this.#notify('onRetry', { endpoint, attempt, reason, delayMs });
      logger.warn('cidaas call failed transiently; retrying', { endpoint, attempt, reason, delayMs, ...(lastRef === undefined ? {} : { refNumber: lastRef }) });
      try {
        await sleep(delayMs, undefined, { signal: this.#closing.signal });
      } catch {
        throw closedError(endpoint);
      }
    }
  }

  /** Stops waiting retries and closes the pool once in-flight requests have ended. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#pool.close();
  }

  #notify<K extends keyof CidaasCallObserver>(name: K, info: Parameters<NonNullable<CidaasCallObserver[K]>>[0]): void {
    const callback = this.#options.observer?.[name] as ((i: typeof info) => void) | undefined;
    if (!callback) return;
    try {
      callback.call(this.#options.observer, info);
    } catch (err) {
      this.#options.logger.warn('cidaas call observer threw; ignored', { callback: name, error: err });
    }
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function closedError(endpoint: CidaasEndpoint): SyncError {
  return new SyncError('CIDAAS_UNAVAILABLE', `the cidaas client was closed while ${endpoint} was pending`, {
    transient: true,
    hint: 'the process is shutting down; the users stay dirty and are sent after the restart',
  });
}
