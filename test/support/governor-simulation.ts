import { DispatchGovernor, type DispatchGovernorOptions } from '../../src/dispatch/dispatch-governor.js';

/** A tenant in the simulation: a token bucket of one second's worth, as the emulator's `--rate-limit`. */
export interface SimulatedTenant {
  /** Its limit (calls/s) at time `t` (ms since the start): a function, so that a test can lower and raise it. */
  readonly limit: (t: number) => number;
  /** Every answer comes this long after the call (ms), 429s too. */
  readonly latencyMs: number;
}

/** What a simulated backfill did. */
export interface SimulationResult {
  /** Calls that reached the tenant (retries included), and those it answered 429. */
  readonly calls: number;
  readonly throttled: number;
  /** When each call reached the tenant (ms), in order. */
  readonly arrivals: readonly number[];
  /** The governor's pace after each simulated second. */
  readonly rates: readonly number[];
  /** The calls' starts that broke a Retry-After pause (must stay 0). */
  readonly startsDuringPause: number;
  readonly governor: DispatchGovernor;
}

interface Event { readonly at: number; readonly seq: number; readonly run: () => void }

/**
 * Runs `batches` calls through a governor against `tenant` on a simulated clock: each call starts
 * when the governor gives it a slot, holds the slot until cidaas accepted it, and after a 429 is
 * repeated (as the cidaas client does) once Retry-After and a jitter have passed, without asking
 * the governor again. `timerLateMs` makes every wait for the pace end that much late (a loaded
 * machine). Deterministic: the jitter comes from a fixed sequence.
 */
export function simulateBackfill(options: {
  readonly governor: Omit<DispatchGovernorOptions, 'now'>;
  readonly tenant: SimulatedTenant;
  readonly batches: number;
  readonly timerLateMs?: number;
}): SimulationResult {
  let clock = 0;
  let seq = 0;
  const events: Event[] = [];
  const at = (t: number, run: () => void): void => {
    events.push({ at: t, seq: seq++, run });
    events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  };
  const g = new DispatchGovernor({ ...options.governor, now: () => clock });
  const { tenant } = options;
  let tokens = tenant.limit(0);
  let refilled = 0;
  let jitter = 0;
  let pausedUntil = 0;
  let startsDuringPause = 0;
  const arrivals: number[] = [];
  const rates: number[] = [];
  let throttled = 0;
  let left = options.batches;
  let pending = 0;
  let tryArmed = false;

  const take = (t: number): number => {
    const limit = tenant.limit(t);
    tokens = Math.min(limit, tokens + ((t - refilled) / 1000) * limit);
    refilled = t;
    if (tokens >= 1) { tokens -= 1; return 0; }
    return Math.max(1, Math.ceil((1 - tokens) / limit));
  };
  const send = (): void => {
    arrivals.push(clock);
    const retryAfter = take(clock);
    at(clock + tenant.latencyMs, () => {
      if (retryAfter === 0) {
        g.onResponse(200);
        g.release();
        pending--;
        startMore();
        return;
      }
      throttled++;
      g.onResponse(429);
      g.onThrottled(retryAfter * 1000);
      pausedUntil = Math.max(pausedUntil, clock + retryAfter * 1000);
      jitter = (jitter * 7 + 3) % 10;
      at(clock + retryAfter * 1000 + jitter * 25, send);
    });
  };
  const startMore = (): void => {
    while (left > 0) {
      const wait = g.tryAcquire();
      if (wait === Infinity) return;
      if (wait > 0) {
        if (!tryArmed) {
          tryArmed = true;
          at(clock + wait + (options.timerLateMs ?? 0), () => { tryArmed = false; startMore(); });
        }
        return;
      }
      if (clock < pausedUntil) startsDuringPause++;
      left--;
      pending++;
      send();
    }
  };
  const sample = (): void => {
    rates.push(g.rate);
    if (left > 0 || pending > 0) at(clock + 1000, sample);
  };
  at(0, startMore);
  at(1000, sample);
  while (events.length) {
    const e = events.shift()!;
    clock = e.at;
    e.run();
  }
  return { calls: arrivals.length, throttled, arrivals, rates, startsDuringPause, governor: g };
}

/** The bench's fraction: calls a second between the first arrival and one slot after the last, over the limit. */
export function fractionOfLimit(result: SimulationResult, limit: number): number {
  const a = result.arrivals;
  const accepted = result.calls - result.throttled;
  return (accepted * 1000) / (a[a.length - 1]! - a[0]! + 1000 / limit) / limit;
}
