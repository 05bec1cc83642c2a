/** How often and how patiently the cidaas client repeats an exchange that failed transiently. */
export interface RetryOptions {
  /** Attempts per exchange, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). Default 250 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling (Retry-After from cidaas may ask for longer and is honoured). Default 30 s. */
  maxDelayMs?: number;
}

/** The longest Retry-After honoured: a bogus header must not park the client for hours. */
const RETRY_AFTER_CEILING_MS = 10 * 60_000;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): concurrent batches that failed together do not come back together.
 */
export class RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly #random: () => number;

  constructor(options: RetryOptions = {}, random: () => number = Math.random) {
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 250);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? 30_000);
    this.#random = random;
  }

  /**
   * The wait after failed attempt `attempt` (1-based). With a Retry-After from cidaas the
   * wait is at least that long, plus jitter so that throttled batches spread out.
   */
  delayMs(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) {
      return Math.min(retryAfterMs, RETRY_AFTER_CEILING_MS) + Math.floor(this.#random() * this.baseDelayMs);
    }
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
    return Math.floor(this.#random() * cap);
  }
}

/**
 * Why an HTTP status may be repeated unchanged, or undefined when it may not: 429 (rate
 * limit), 408 and every 5xx. 401 (renew the token) and 400/413/417 (split the batch) are
 * handled by the client, not by repeating.
 */
export function retryableStatus(status: number): string | undefined {
  return status === 429 || status === 408 || status >= 500 ? `HTTP ${status}` : undefined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const CONNECTION_CODES = new Set([
  'UND_ERR_SOCKET', // undici's "other side closed": the server or a proxy dropped the connection
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/**
 * Why a transport error may be repeated, or undefined when it may not (a bug or a closed
 * client). Timeouts and dropped connections are transient. Repeating is safe even when
 * cidaas may have processed the request: a bulk call upserts by sub, a purge of a
 * deleted user answers 404 (= absent), reads change nothing.
 */
export function retryableError(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (CONNECTION_CODES.has(code)) return `connection lost (${code})`;
  if (err instanceof Error && /other side closed|socket hang up/i.test(err.message)) return 'connection lost';
  return undefined;
}

/** Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
