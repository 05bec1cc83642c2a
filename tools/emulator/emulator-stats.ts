/** What the emulator has seen since start or the last reset (GET /_emulator/stats). */
export interface EmulatorStats {
  /**
   * API requests by endpoint (`"POST /users-srv/user/bulk"`, `"DELETE
   * /users-srv/user/purge/{sub}"`, ...; `"other"` for unknown paths) and answer status
   * (`"200"`, `"429"`, ...; `"drop"` for a connection reset by a fault).
   */
  readonly requests: Record<string, Record<string, number>>;
  /** Per-user bulk outcomes and purges. */
  readonly users: { readonly created: number; readonly updated: number; readonly failed: number; readonly deleted: number };
  /** Access tokens issued by the token endpoint. */
  readonly tokensIssued: number;
  /** Fault rule applications (request faults and failEmail users). */
  readonly faultsApplied: number;
  /** Requests answered 429 by `--rate-limit`. */
  readonly rateLimited: number;
  /** Users stored now. */
  readonly userCount: number;
}

/** Counts requests and outcomes. */
export class StatsRecorder {
  #requests = new Map<string, Map<string, number>>();
  created = 0;
  updated = 0;
  failed = 0;
  deleted = 0;
  tokensIssued = 0;
  rateLimited = 0;

  /** Counts one API request and its answer. */
  request(endpoint: string, outcome: number | 'drop'): void {
    let byStatus = this.#requests.get(endpoint);
    if (!byStatus) this.#requests.set(endpoint, (byStatus = new Map()));
    const key = String(outcome);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }

  /** A snapshot (plain JSON). */
  snapshot(faultsApplied: number, userCount: number): EmulatorStats {
    const requests: Record<string, Record<string, number>> = {};
    for (const [endpoint, byStatus] of this.#requests) requests[endpoint] = Object.fromEntries(byStatus);
    return {
      requests,
      users: { created: this.created, updated: this.updated, failed: this.failed, deleted: this.deleted },
      tokensIssued: this.tokensIssued,
      faultsApplied,
      rateLimited: this.rateLimited,
      userCount,
    };
  }

  /** Back to zero. */
  clear(): void {
    this.#requests = new Map();
    this.created = this.updated = this.failed = this.deleted = this.tokensIssued = this.rateLimited = 0;
  }
}
