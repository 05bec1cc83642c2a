// Over 300 lines on purpose: every cidaas user API the sidecar calls (bulk upsert with 413 halving,
// purge or schedule, search, bulk read, GET) behind one token, transport and compat switch.
import { z } from 'zod';
import type { Secret } from '../secret.js';
import type { Logger } from '../observability/logger.js';
import type { CidaasCallObserver, CidaasEndpoint } from './cidaas-call-observer.js';
import type { CidaasUser, CidaasUserRecord } from './cidaas-user.js';
import { userToWire } from './cidaas-user.js';
import { readProcessStates, rejectedAlone, type BulkAnswerShape, type BulkOutcome } from './bulk-outcome.js';
import { DEFAULT_COMPAT, type CidaasCompat } from './cidaas-compat.js';
import { cidaasErrorText, protocolError, rejected, scopeMissing, tokenRejected } from './cidaas-errors.js';
import { CidaasTransport, type CidaasReply } from './cidaas-transport.js';
import { RetryPolicy, type RetryOptions } from './retry-policy.js';
import { TokenProvider } from './token-provider.js';

/** How to reach and call one cidaas tenant. */
export interface CidaasClientOptions {
  /** The tenant URL, e.g. `https://acme.cidaas.eu`. */
  baseUrl: string;
  clientId: string;
  clientSecret: Secret;
  logger: Logger;
  /** Size of the keep-alive connection pool. Default 8. */
  connections?: number;
  /** Per attempt: an exchange (connect, headers and body) not done within this counts as a timeout and is repeated. Default 30 s. */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  observer?: CidaasCallObserver;
  /** Accept the cidaas-sync emulator as the tenant (`cidaas.allowEmulator`); default false. */
  allowEmulator?: boolean;
  /**
   * Headers added to every API call (not the token request), computed just before each attempt is
   * sent. A throw stops the call unsent: high availability refuses to push without the lease here.
   */
  requestHeaders?: () => Record<string, string>;
  /**
   * Runs again as each request (the token request too) is written to its connection, after any
   * wait for one; a throw abandons it unsent (see send-guard.ts): the lease is still held then.
   */
  beforeSend?: () => void;
  /** `cidaas.compat`: of it the client uses `delete` (how {@link CidaasClient.purge} deletes). Default {@link DEFAULT_COMPAT}. */
  compat?: CidaasCompat;
}

/** A page of {@link CidaasClient.bulkRead}: the users, and the sort value to pass as `searchAfter` for the next (undefined at the end). */
export interface CidaasBulkReadPage {
  users: CidaasUserRecord[];
  next: unknown[] | undefined;
}

/** A page of users for {@link CidaasClient.search} (POST /user-srv/graph/users). */
export interface CidaasSearchQuery {
  from: number;
  /** At most 1000; `from + size` at most 10000 (cidaas caps search there: read further users by sub). */
  size: number;
  sortfield?: string;
  descending?: boolean;
  terms?: unknown[];
}

const BULK_PATH = '/users-srv/user/bulk';
/** Bulk calls at a learned limit before one call tries twice as many users. */
const PROBE_AFTER_CALLS = 20;
/** A probe that reaches this many users per call lifts the learned limit altogether (the configured batchSize rules). */
const MAX_PROBED_LIMIT = 50;

/** Statuses with which cidaas refuses a bulk batch as a whole: split it to find the users it refuses. */
const WHOLE_BATCH_REJECTIONS = new Set([400, 413, 417]);

const userRecord = z.looseObject({ sub: z.string() });
const userResponse = z.object({ data: userRecord });
const searchResponse = z.object({ data: z.array(userRecord), total: z.coerce.number() });
/** bulkread's answer: `{"users": [...], "pitId"}`, bare or (ASSUMED as well) inside `data`. */
const bulkReadResponse = z.union([
  z.object({ users: z.array(userRecord) }),
  z.object({ data: z.object({ users: z.array(userRecord) }) }).transform((b) => b.data),
  z.object({ data: z.array(userRecord) }).transform((b) => ({ users: b.data })),
]);

/**
 * The cidaas API as cidaas-sync uses it (docs/cidaas-api.md): bulk upsert, purge, user read
 * and search, with a cached client-credentials token, a keep-alive pool, retries of
 * transient failures, and splitting of batches cidaas refuses whole.
 *
 * Nothing this class logs or throws contains a secret, a token, a password hash or a
 * request body: only counts, subs, statuses, latencies and cidaas's error text.
 */
export class CidaasClient {
  readonly #transport: CidaasTransport;
  readonly #tokens: TokenProvider;
  readonly #clientId: string;
  readonly #logger: Logger;
  readonly #requestHeaders: (() => Record<string, string>) | undefined;
  /** Users per bulk call once a split proved that cidaas refuses more per call (413): its limit is below ours. */
  #bulkLimit = Number.POSITIVE_INFINITY;
  /** Bulk calls since the limit was learned or last probed: every PROBE_AFTER_CALLS, one call tries twice as many. */
  #callsAtLimit = 0;
  readonly #compat: CidaasCompat;
  #lastBulkShape: BulkAnswerShape | undefined;

  constructor(options: CidaasClientOptions) {
    this.#logger = options.logger;
    this.#clientId = options.clientId;
    this.#requestHeaders = options.requestHeaders;
    this.#compat = options.compat ?? DEFAULT_COMPAT;
    this.#transport = new CidaasTransport({
      baseUrl: options.baseUrl,
      connections: options.connections ?? 8,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retry: new RetryPolicy(options.retry),
      logger: options.logger,
      observer: options.observer,
      allowEmulator: options.allowEmulator ?? false,
      ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
    });
    this.#tokens = new TokenProvider(this.#transport, options.clientId, options.clientSecret, options.logger);
  }

  /**
   * Adds or updates users (upsert by sub). Returns one outcome per input user, in input
   * order. A batch cidaas refuses whole (400/413/417) is split in halves down to single
   * users, so one bad user fails alone; it is never repeated unchanged. Throws a
   * transient SyncError (CIDAAS_UNAVAILABLE, CIDAAS_RATE_LIMITED) when cidaas stays
   * unavailable through the retry budget: the caller keeps the users dirty (some of them
   * may have been applied already; sending them again is harmless).
   *
   * Repeating a bulk call after a timeout or dropped connection is safe even when cidaas
   * processed the first one: it upserts by sub, so the second call updates to the same state.
   */
  async bulkUpsert(users: readonly CidaasUser[]): Promise<BulkOutcome[]> {
    const outcomes: BulkOutcome[] = [];
    for (let i = 0; i < users.length; ) {
      const limit = this.#bulkLimit;
      // Now and then one call tries twice the learned limit: the tenant's limit may have been
      // raised, or the 413 was caused by the size of the users rather than their count.
      const probe = limit !== Number.POSITIVE_INFINITY && ++this.#callsAtLimit >= PROBE_AFTER_CALLS && users.length - i > limit;
      if (probe) this.#callsAtLimit = 0;
      const size = Math.min(users.length - i, probe ? limit * 2 : limit);
      const sent = await this.#bulk(users.slice(i, i + size));
      outcomes.push(...sent.outcomes);
      if (probe && !sent.refusedTooLarge && this.#bulkLimit === limit) {
        this.#bulkLimit = size >= MAX_PROBED_LIMIT ? Number.POSITIVE_INFINITY : size;
        this.#logger.info('cidaas accepted a larger bulk call again; raising the users per call', { users: size });
      }
      i += size;
    }
    return outcomes;
  }

  /**
   * Deletes a user the way `cidaas.compat.delete` says (or `how`): `purge` at once and for
   * good, `schedule` by cidaas's scheduled deletion. `absent` when cidaas does not know the
   * sub (404): already deleted.
   */
  async purge(sub: string, how: CidaasCompat['delete'] = this.#compat.delete): Promise<'deleted' | 'absent'> {
    const reply = how === 'schedule'
      ? await this.#call('schedule', 'POST', `/users-srv/user/unregister/scheduler/schedule/${encodeURIComponent(sub)}`, '{}')
      : await this.#call('purge', 'DELETE', `/users-srv/user/purge/${encodeURIComponent(sub)}`);
    if (reply.status === 404) return 'absent';
    if (reply.status >= 200 && reply.status < 300) return 'deleted';
    throw this.#refused(how, reply, 'the user is kept in the dead-letter list; check it in the cidaas admin UI');
  }

  /**
   * Removes a user from a group (DELETE /groups-srv/usergroups/{groupId}/users/{sub}, documented by
   * cidaas): what `cidaas.compat.groups: add` needs for a membership removed in legacy. `absent`
   * when cidaas answers 404 (not a member, already removed).
   */
  async removeFromGroup(groupId: string, sub: string): Promise<'removed' | 'absent'> {
    const reply = await this.#call('membership', 'DELETE', `/groups-srv/usergroups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(sub)}`);
    if (reply.status === 404) return 'absent';
    if (reply.status >= 200 && reply.status < 300) return 'removed';
    throw this.#refused('membership', reply, 'the user is pushed again later; check the group in the cidaas admin UI');
  }

  /** How the last successful bulk answer was shaped (for `canary`); undefined before the first. */
  get lastBulkShape(): BulkAnswerShape | undefined {
    return this.#lastBulkShape;
  }

  /**
   * One page of every user, in `sortfield` order (POST /user-ext-srv/bulkread/users), for
   * reading more than search's 10,000: pass the page's `next` as `searchAfter` until it is
   * undefined. cidaas answers 204 when nothing is left.
   */
  async bulkRead(o: { size: number; sortfield?: string; searchAfter?: unknown[] }): Promise<CidaasBulkReadPage> {
    const sortfield = o.sortfield ?? 'sub';
    const body = { size: o.size, sortfield, ...(o.searchAfter ? { searchAfter: o.searchAfter } : {}) };
    const reply = await this.#call('bulkread', 'POST', '/user-ext-srv/bulkread/users', JSON.stringify(body));
    if (reply.status === 204) return { users: [], next: undefined };
    if (reply.status !== 200) throw this.#refused('bulkread', reply, 'set cidaas.compat.search to graph or get if the tenant has no bulkread');
    const parsed = bulkReadResponse.safeParse(reply.body);
    if (!parsed.success) throw protocolError('bulkread', reply.status, 'no users array');
    const users = parsed.data.users as CidaasUserRecord[];
    const last = users.at(-1);
    return { users, next: last === undefined ? undefined : [last[sortfield]] };
  }

  /** The user as cidaas stores it (no password hash, no TOTP secret), or null when unknown (404). */
  async getUser(sub: string): Promise<CidaasUserRecord | null> {
    const reply = await this.#call('user', 'GET', `/user-srv/users/${encodeURIComponent(sub)}`);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw this.#refused('user', reply, 'check the sub; this is not expected for a read');
    const parsed = userResponse.safeParse(reply.body);
    if (!parsed.success) throw protocolError('user', reply.status, 'no data object with a sub');
    return parsed.data.data as CidaasUserRecord;
  }

  /** One page of users in `sortfield` order, and the total count. */
  async search(query: CidaasSearchQuery): Promise<{ users: CidaasUserRecord[]; total: number }> {
    if (query.size > 1000 || query.from + query.size > 10_000) {
      throw rejected('search', 400, `from=${query.from} size=${query.size} is beyond what cidaas search serves`,
        'cidaas search returns pages of at most 1000 and no result past the 10,000th; read further users by sub (getUser)');
    }
    const reply = await this.#call('search', 'POST', '/user-srv/graph/users', JSON.stringify(query));
    // cidaas answers 204 with no body when nothing matches.
    if (reply.status === 204) return { users: [], total: 0 };
    if (reply.status !== 200) throw this.#refused('search', reply, 'check the search terms');
    const parsed = searchResponse.safeParse(reply.body);
    if (!parsed.success) throw protocolError('search', reply.status, 'no data array and total');
    return { users: parsed.data.data as CidaasUserRecord[], total: parsed.data.total };
  }

  /** The scopes granted to this client, from its access token (fetching one if needed): what `check` reports. */
  async tokenScopes(): Promise<string[]> {
    return this.#tokens.scopes();
  }

  /** Closes the connection pool; retries waiting for their backoff end with a transient error. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  /**
   * One bulk call, split on a whole-batch refusal. `refusedTooLarge`: some call of it was answered
   * 413, so it proves nothing about the count cidaas accepts.
   */
  async #bulk(batch: readonly CidaasUser[]): Promise<{ outcomes: BulkOutcome[]; refusedTooLarge: boolean }> {
    if (batch.length === 0) return { outcomes: [], refusedTooLarge: false };
    const reply = await this.#call('bulk', 'POST', BULK_PATH, JSON.stringify(batch.map(userToWire)));
    if (reply.status === 200) {
      const read = readProcessStates(reply.body, batch);
      if (typeof read === 'string') throw protocolError('bulk', reply.status, read + refNote(reply));
      this.#lastBulkShape = read.shape;
      this.#logger.debug('cidaas bulk call done', { users: batch.length, ...countByStatus(read.outcomes), latencyMs: reply.latencyMs, ...read.shape });
      return { outcomes: read.outcomes, refusedTooLarge: false };
    }
    if (!WHOLE_BATCH_REJECTIONS.has(reply.status)) throw this.#refused('bulk', reply, 'the users stay dirty; report this with the cidaas reference number');
    const text = (cidaasErrorText(reply.body) ?? 'no reason given') + refNote(reply);
    const first = batch[0];
    if (batch.length === 1 && first) {
      this.#logger.warn('cidaas refused a user on its own', { sub: first.sub, status: reply.status });
      const tooLarge = reply.status === 413
        ? ' (HTTP 413 for this user alone: its entity is larger than cidaas accepts; a smaller cidaas.batchSize cannot help, shorten its fields or customFields)'
        : ` (HTTP ${reply.status})`;
      return { outcomes: [rejectedAlone(first, text + tooLarge)], refusedTooLarge: reply.status === 413 };
    }
    this.#logger.warn('cidaas refused a bulk batch whole; splitting it to isolate the users it refuses', {
      status: reply.status, users: batch.length, reason: text,
    });
    const half = Math.ceil(batch.length / 2);
    const a = await this.#bulk(batch.slice(0, half));
    const b = await this.#bulk(batch.slice(half));
    // The same users were refused together and accepted in halves: the count is what cidaas
    // refused, not one user too large (that one would be refused alone as well).
    if (reply.status === 413 && !a.refusedTooLarge && !b.refusedTooLarge) this.#learnBulkLimit(batch.length);
    return { outcomes: [...a.outcomes, ...b.outcomes], refusedTooLarge: reply.status === 413 && (a.refusedTooLarge || b.refusedTooLarge) };
  }

  #learnBulkLimit(refusedSize: number): void {
    const limit = Math.ceil(refusedSize / 2);
    if (limit >= this.#bulkLimit) return;
    this.#bulkLimit = limit;
    this.#callsAtLimit = 0;
    this.#logger.warn(`cidaas answered 413 to a bulk call of ${refusedSize} users: the tenant accepts fewer per call. ` +
      `Sending at most ${limit} per call from now on; set cidaas.batchSize to the tenant's limit to save the refused calls`, { refusedSize, limit });
  }

  /** One authenticated call: renews the token once on 401 and repeats; a 403 is a missing scope. */
  async #call(endpoint: Exclude<CidaasEndpoint, 'token'>, method: 'GET' | 'POST' | 'DELETE', path: string, body?: string): Promise<CidaasReply> {
    for (let renewed = false; ; renewed = true) {
      let used: Secret | undefined;
      const reply = await this.#transport.exchange({
        endpoint, method, path, body,
        ...(body === undefined ? {} : { contentType: 'application/json' }),
        headers: async () => {
          used = await this.#tokens.token();
          return { ...this.#requestHeaders?.(), authorization: `Bearer ${used.reveal()}` };
        },
      });
      if (reply.status === 401) {
        const detail = cidaasErrorText(reply.body) ?? 'HTTP 401';
        if (renewed || used === undefined) throw tokenRejected(this.#clientId, endpoint, detail);
        this.#logger.info('cidaas rejected the access token; renewing it once', { endpoint });
        this.#tokens.invalidate(used);
        continue;
      }
      if (reply.status === 403) throw scopeMissing(this.#clientId, endpoint, (cidaasErrorText(reply.body) ?? 'HTTP 403') + refNote(reply));
      if (reply.status >= 400) this.#logger.debug('cidaas answered with an error', { endpoint, status: reply.status, refNumber: refNumberOf(reply) });
      // One cidaas service answers HTTP 200 with a failure in the body: trust the status, but not a success that says it failed.
      if (reply.status < 300 && isObjectBody(reply.body) && reply.body.success === false) {
        const bodyStatus = typeof reply.body.status === 'number' ? ` (status ${reply.body.status} in the body)` : '';
        this.#logger.warn('cidaas answered success: false with a 2xx status', { endpoint, status: reply.status, refNumber: refNumberOf(reply) });
        throw rejected(endpoint, reply.status, `the body says success: false${bodyStatus}: ${cidaasErrorText(reply.body) ?? 'no reason given'}${refNote(reply)}`,
          'report this to cidaas support with the reference number');
      }
      return reply;
    }
  }

  #refused(endpoint: CidaasEndpoint, reply: CidaasReply, hint: string): Error {
    const text = cidaasErrorText(reply.body);
    return text === undefined && reply.body === undefined
      ? protocolError(endpoint, reply.status, 'an empty or non-JSON body' + refNote(reply))
      : rejected(endpoint, reply.status, (text ?? 'no reason given') + refNote(reply), hint);
  }
}

/** The `X-Ref-Number` header cidaas puts on its answers: what cidaas support asks for. */
function refNumberOf(reply: CidaasReply): string | undefined {
  const ref = reply.headers['x-ref-number'];
  return Array.isArray(ref) ? ref[0] : ref;
}

function refNote(reply: CidaasReply): string {
  const ref = refNumberOf(reply);
  return ref === undefined ? '' : ` [X-Ref-Number ${ref}]`;
}

function isObjectBody(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function countByStatus(outcomes: readonly BulkOutcome[]): { created: number; updated: number; failed: number } {
  const counts = { created: 0, updated: 0, failed: 0 };
  for (const o of outcomes) counts[o.status === 'CREATED' ? 'created' : o.status === 'UPDATED' ? 'updated' : 'failed']++;
  return counts;
}
