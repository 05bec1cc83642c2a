import type { FaultRule, RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';

/**
 * A storm of transient cidaas faults for the chaos run: every `everyMs` one or two short-lived
 * request faults are queued on the emulator (429 with and without Retry-After, 500, 502, 503,
 * slow answers, dropped connections; on the bulk, purge or every endpoint), as long as the faults
 * applied stay under `share` of the API requests so far and little is queued: cidaas fails often,
 * but a retried batch still gets through.
 */

/** Options of {@link startFaultStorm}. */
export interface FaultStormOptions {
  /** Random stream for which faults to queue. */
  readonly random: () => number;
  /** Pause between two rounds; default 1000 ms. */
  readonly everyMs?: number;
  /** Share of API requests to fault, at most; default 0.25. */
  readonly share?: number;
}

/** A running storm. */
export interface FaultStorm {
  /** Request fault rules queued so far. */
  readonly queued: number;
  /** Stops queueing; faults already queued stay until used (each has `times`). */
  stop(): void;
}

const PATHS = [undefined, '/users-srv/user/bulk', '/users-srv/user/*'] as const;

function randomFault(random: () => number): FaultRule {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const path = pick(PATHS);
  const times = 1 + Math.floor(random() * 2);
  const base = { ...(path === undefined ? {} : { path }), times };
  const roll = random();
  if (roll < 0.2) return { ...base, status: 429, retryAfter: 1 + Math.floor(random() * 2) };
  if (roll < 0.3) return { ...base, status: 429, retryAfter: null };
  if (roll < 0.5) return { ...base, status: pick([500, 502, 503]) };
  if (roll < 0.7) return { ...base, delayMs: 100 + Math.floor(random() * 1500) };
  if (roll < 0.85) return { ...base, drop: true };
  // Slow, then dropped: the client gave its time and gets nothing.
  return { ...base, delayMs: 200 + Math.floor(random() * 800), drop: true };
}

/** The request faults (not failEmail rules) waiting in the emulator's queue. */
async function queuedRequestFaults(emulator: RunningEmulator): Promise<number> {
  const res = await fetch(`${emulator.url}/_emulator/faults`);
  const body = (await res.json()) as { data?: unknown };
  return Array.isArray(body.data) ? body.data.filter((r: unknown) => typeof r === 'object' && r !== null && !('failEmail' in r)).length : 0;
}

/** API requests so far and how many of them a request fault hit. */
function faultShare(emulator: RunningEmulator): { requests: number; faulted: number } {
  const stats = emulator.stats();
  let requests = 0;
  for (const [endpoint, byStatus] of Object.entries(stats.requests)) {
    if (!endpoint.includes('/token-srv/')) for (const n of Object.values(byStatus)) requests += n;
  }
  // faultsApplied also counts the users failed on purpose (failEmail rules).
  return { requests, faulted: stats.faultsApplied - stats.users.failed };
}

/** Starts queueing faults; see the module comment. */
export function startFaultStorm(emulator: RunningEmulator, options: FaultStormOptions): FaultStorm {
  const share = options.share ?? 0.25;
  let queued = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const { requests, faulted } = faultShare(emulator);
        if ((await queuedRequestFaults(emulator)) > 1 || faulted > share * requests) return;
        const rules = Array.from({ length: 1 + Math.floor(options.random() * 2) }, () => randomFault(options.random));
        emulator.addFaults(rules);
        queued += rules.length;
      } catch {
        // The emulator is closing: the storm ends with it.
      } finally {
        busy = false;
      }
    })();
  }, options.everyMs ?? 1000);
  return {
    get queued() {
      return queued;
    },
    stop: () => clearInterval(timer),
  };
}
