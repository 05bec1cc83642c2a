/**
 * The tenant limit the backfill and stream benches give the sidecar (`cidaas.maxCallsPerSecond`):
 * their emulator has no limit and their reference (the bare script; for the stream, the goal of
 * p99 < 1 s at 2,000 changes/s) paces nothing, so by default the sidecar is told of a limit that never
 * binds here and the figures are the pipeline's, not the governor's slow start (pg.rate_limit's
 * subject). BENCH_MAX_CALLS_PER_SECOND sets another; 0 runs as a first run against a tenant of unknown
 * limit (slow start from a few calls/s). The benches print it as `known_limit` (0: none).
 */

/** 50 users a call, 250,000 users/s: several times what any bench reaches here, so it never binds. */
const DEFAULT_KNOWN_LIMIT = 5000;

/** The known limit of this run: BENCH_MAX_CALLS_PER_SECOND (0: none, the slow start), else the default. */
export function knownLimit(): number {
  const text = process.env['BENCH_MAX_CALLS_PER_SECOND'];
  if (text === undefined || text === '') return DEFAULT_KNOWN_LIMIT;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`BENCH_MAX_CALLS_PER_SECOND must be a number of calls/s >= 0, not ${JSON.stringify(text)}`);
  return n;
}

/** `cidaas:` settings for a sidecar under {@link knownLimit}. */
export function knownLimitSettings(known = knownLimit()): { cidaas?: Record<string, number> } {
  return known > 0 ? { cidaas: { maxCallsPerSecond: known } } : {};
}
