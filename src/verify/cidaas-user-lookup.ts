import type { CidaasClient } from '../cidaas/cidaas-client.js';
import type { CidaasUserRecord } from '../cidaas/cidaas-user.js';
import { SyncError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';

/**
 * How verify reads users from cidaas: `search` (a page of subs per call, GETs to confirm
 * absences), `bulkread` (every user once, page by page, for tenants above search's 10,000;
 * GETs confirm absences) or `get` (one GET per user). `cidaas.compat.search` picks it.
 */
export type CidaasReadMode = 'search' | 'bulkread' | 'get';

/** The read mode a `cidaas.compat.search` setting means. */
export function readModeOf(search: 'graph' | 'bulkread' | 'get'): CidaasReadMode {
  return search === 'graph' ? 'search' : search;
}

/** Users per bulkread page. */
const BULKREAD_PAGE = 1000;

/** Options of {@link CidaasUserLookup}. */
export interface CidaasUserLookupOptions {
  readonly mode: CidaasReadMode;
  /** Bounds the cidaas calls in flight, shared by every page. */
  readonly limit: ConcurrencyLimit;
  /** Subs per search call, 1..1000 (cidaas's page size cap). */
  readonly searchSize: number;
  readonly logger: Logger;
}

/** Search errors that mean "this tenant does not serve the search as we ask it": read by sub instead. */
const UNSUPPORTED_SEARCH = new Set(['CIDAAS_REJECTED', 'CIDAAS_SCOPE_MISSING', 'CIDAAS_PROTOCOL']);

/**
 * Reads cidaas users by sub for verify.
 *
 * In `search` mode a page of subs is one POST /user-srv/graph/users with the subs as `terms`
 * (the emulator's search matches a term against sub or email, as an Elasticsearch terms query;
 * **ASSUMED** for a real tenant, see docs/cidaas-api.md). With `from: 0` and `size` = the number of
 * subs it stays inside cidaas's 1000-per-page and 10k-window caps however large the tenant.
 * A search index may lag behind writes and a term may also match another user's email, so a
 * sub the search does not return is confirmed with GET /user-srv/users/{sub} before it counts
 * as missing: the search saves calls, the GET decides. When cidaas refuses the search (400,
 * 403, a body we cannot read) or answers with users we did not ask for (terms ignored), the
 * lookup switches to GET for the rest of the run and logs it once.
 */
export class CidaasUserLookup {
  #mode: CidaasReadMode;
  #stopped = false;
  /** bulkread mode: every cidaas user by sub, read once on first use. */
  #all: Promise<Map<string, CidaasUserRecord> | null> | undefined;

  constructor(private readonly client: CidaasClient, private readonly o: CidaasUserLookupOptions) {
    this.#mode = o.mode;
  }

  /** The mode in use now (`get` after a fallback). */
  get mode(): CidaasReadMode {
    return this.#mode;
  }

  /**
   * The cidaas user of each sub, or null when cidaas has none. `authoritative` reads every
   * sub with GET (the recheck of findings: no search index in between).
   */
  async read(subs: readonly string[], authoritative = false): Promise<Map<string, CidaasUserRecord | null>> {
    const out = new Map<string, CidaasUserRecord | null>();
    if (subs.length === 0) return out;
    if (this.#mode === 'bulkread' && !authoritative) {
      const all = await (this.#all ??= this.#readAll());
      if (all) for (const sub of subs) {
        const user = all.get(sub);
        if (user) out.set(sub, user);
      }
    }
    if (this.#mode === 'search' && !authoritative) {
      const chunks: string[][] = [];
      for (let i = 0; i < subs.length; i += this.o.searchSize) chunks.push(subs.slice(i, i + this.o.searchSize));
      const found = await Promise.all(chunks.map((c) => this.#search(c)));
      if (found.every((f) => f !== null)) {
        for (const f of found) for (const [sub, user] of f) out.set(sub, user);
      }
    }
    const rest = subs.filter((s) => !out.has(s));
    let failed: unknown;
    const users = await Promise.all(rest.map((sub) => this.#call(async () => {
      // One failed read fails the page: the reads still queued for it need not reach cidaas.
      if (failed !== undefined) throw failed;
      try {
        return await this.client.getUser(sub);
      } catch (err) {
        failed ??= err;
        throw err;
      }
    })));
    rest.forEach((sub, i) => out.set(sub, users[i] ?? null));
    return out;
  }

  /**
   * Ends the run's reads: calls still waiting for a slot fail at once (with an error that is not
   * transient, so no page is repeated) instead of reaching cidaas, so nothing keeps running after
   * verify has failed.
   */
  stop(): void {
    this.#stopped = true;
  }

  /** Runs one cidaas call in a slot of the shared limit, unless the run was stopped. */
  #call<T>(call: () => Promise<T>): Promise<T> {
    return this.o.limit.run(async () => {
      if (this.#stopped) throw new Error('verify has stopped');
      return call();
    });
  }

  /** How many users cidaas holds (the search total), or null when the search is not available. */
  async total(): Promise<number | null> {
    try {
      return (await this.#call(() => this.client.search({ from: 0, size: 1, sortfield: 'sub', descending: false }))).total;
    } catch {
      return null;
    }
  }

  /** The users of `subs` the search returned; null when the search is not usable (mode switched to get). */
  async #search(subs: readonly string[]): Promise<Map<string, CidaasUserRecord> | null> {
    let users: CidaasUserRecord[];
    try {
      ({ users } = await this.#call(() =>
        this.client.search({ from: 0, size: subs.length, sortfield: 'sub', descending: false, terms: [...subs] })));
    } catch (err) {
      if (err instanceof SyncError && UNSUPPORTED_SEARCH.has(err.code)) {
        this.#fallBack(`cidaas refused the search by sub (${err.code}: ${err.message})`);
        return null;
      }
      throw err;
    }
    const wanted = new Set(subs);
    let lowered: Set<string> | undefined;
    const found = new Map<string, CidaasUserRecord>();
    for (const u of users) {
      if (wanted.has(u.sub)) {
        found.set(u.sub, u);
        continue;
      }
      // A term may also match another user's email; anything else means the terms were ignored.
      lowered ??= new Set(subs.map((s) => s.toLowerCase()));
      if (typeof u.email !== 'string' || !lowered.has(u.email.toLowerCase())) {
        this.#fallBack('the search answered with users that match none of the subs asked for (terms not honoured)');
        return null;
      }
    }
    return found;
  }

  /**
   * Every cidaas user, by bulkread pages in sub order until cidaas answers 204; null when
   * the tenant does not serve bulkread (mode switched to get). Held in memory: one record per
   * cidaas user for the length of the run.
   */
  async #readAll(): Promise<Map<string, CidaasUserRecord> | null> {
    const all = new Map<string, CidaasUserRecord>();
    let searchAfter: unknown[] | undefined;
    try {
      for (;;) {
        const page = await this.#call(() => this.client.bulkRead({ size: BULKREAD_PAGE, sortfield: 'sub', ...(searchAfter ? { searchAfter } : {}) }));
        for (const u of page.users) all.set(u.sub, u);
        if (page.next === undefined || page.users.length === 0) return all;
        searchAfter = page.next;
      }
    } catch (err) {
      if (err instanceof SyncError && UNSUPPORTED_SEARCH.has(err.code)) {
        this.#fallBack(`cidaas refused bulkread (${err.code}: ${err.message})`);
        return null;
      }
      throw err;
    }
  }

  #fallBack(why: string): void {
    if (this.#mode === 'get') return;
    this.#mode = 'get';
    this.o.logger.warn(`verify reads cidaas users one GET per user from now on: ${why}`, { mode: 'get' });
  }
}
