import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which replica of a high-availability pair called, and when (GET /_emulator/replicas). A sidecar
 * with `ha.enabled` names itself and its fencing token in the headers `x-cidaas-sync-replica` and
 * `x-cidaas-sync-fence`; calls without them are not recorded. The emulator records and reports; it
 * refuses nothing, as cidaas would not.
 */

/** One recorded API call. Times are ms since the epoch, as the emulator saw them. */
export interface ReplicaCall {
  readonly replica: string;
  readonly token: string;
  readonly endpoint: string;
  readonly startedAt: number;
  /** When the answer was sent (or the connection dropped); null while the call is being handled. */
  endedAt: number | null;
}

/** One holder's term as its calls show it: from the start of its first call to the end of its last. */
export interface ReplicaTerm {
  readonly replica: string;
  readonly token: string;
  readonly calls: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** GET /_emulator/replicas. */
export interface ReplicaReport {
  readonly calls: number;
  /** Terms in token order. */
  readonly terms: ReplicaTerm[];
  /**
   * Every pair of terms that overlapped in time, or in which a smaller token called after a larger
   * one had started: empty when at no moment did two replicas push.
   */
  readonly overlaps: string[];
}

export class ReplicaLog {
  #calls: ReplicaCall[] = [];

  /** Records the start of a call when it names a replica; returns the record to end, or null. */
  begin(headers: IncomingHttpHeaders, endpoint: string): ReplicaCall | null {
    const replica = headers['x-cidaas-sync-replica'];
    const token = headers['x-cidaas-sync-fence'];
    if (typeof replica !== 'string' || typeof token !== 'string') return null;
    const call: ReplicaCall = { replica, token, endpoint, startedAt: Date.now(), endedAt: null };
    this.#calls.push(call);
    return call;
  }

  /** The recorded calls, oldest first. */
  calls(): readonly ReplicaCall[] {
    return this.#calls;
  }

  report(): ReplicaReport {
    const byToken = new Map<string, { replica: string; token: string; calls: number; firstAt: number; lastAt: number }>();
    for (const c of this.#calls) {
      const end = c.endedAt ?? Date.now();
      const t = byToken.get(c.token);
      if (!t) byToken.set(c.token, { replica: c.replica, token: c.token, calls: 1, firstAt: c.startedAt, lastAt: end });
      else {
        t.calls++;
        t.firstAt = Math.min(t.firstAt, c.startedAt);
        t.lastAt = Math.max(t.lastAt, end);
      }
    }
    const terms = [...byToken.values()].sort((a, b) => (BigInt(a.token) < BigInt(b.token) ? -1 : 1));
    const overlaps: string[] = [];
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        const a = terms[i]!;
        const b = terms[j]!;
        if (a.lastAt > b.firstAt) overlaps.push(`token ${a.token} (${a.replica}) called until ${new Date(a.lastAt).toISOString()}, after token ${b.token} (${b.replica}) began at ${new Date(b.firstAt).toISOString()}`);
      }
    }
    return { calls: this.#calls.length, terms, overlaps };
  }

  clear(): void {
    this.#calls = [];
  }
}
