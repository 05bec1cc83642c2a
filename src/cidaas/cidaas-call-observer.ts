/**
 * The cidaas calls the client makes, as named in observer callbacks, logs and metrics:
 * `token` POST /token-srv/token, `bulk` POST /users-srv/user/bulk, `purge` DELETE
 * /users-srv/user/purge/{sub}, `user` GET /user-srv/users/{sub}, `search` POST
 * /user-srv/graph/users, `bulkread` POST /user-ext-srv/bulkread/users, `schedule` POST
 * /users-srv/user/unregister/scheduler/schedule/{sub}.
 */
export type CidaasEndpoint = 'token' | 'bulk' | 'purge' | 'user' | 'search' | 'bulkread' | 'schedule' | 'membership';

/**
 * Callbacks on every HTTP exchange with cidaas, for adaptive concurrency (AIMD) and
 * metrics. All optional; called synchronously; an exception thrown by one is logged and
 * otherwise ignored.
 */
export interface CidaasCallObserver {
  /** After every HTTP response, whatever its status (also 429 and 5xx, also the token endpoint). Not called when no response came (timeout, dropped connection). */
  onResponse?(info: { endpoint: CidaasEndpoint; status: number; latencyMs: number }): void;
  /** On every 429. `retryAfterMs` is the Retry-After header in ms, when cidaas sent one. */
  onThrottled?(info: { endpoint: CidaasEndpoint; retryAfterMs?: number }): void;
  /**
   * Before the client waits to repeat a failed exchange. `attempt` is the number of the
   * attempt that failed (1 = the first try); `reason` is e.g. `HTTP 429`, `HTTP 503`,
   * `timeout`, `connection lost`; `delayMs` is the wait before the next attempt.
   */
  onRetry?(info: { endpoint: CidaasEndpoint; attempt: number; reason: string; delayMs: number }): void;
}
