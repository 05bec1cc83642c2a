/** The `p`-th percentile (nearest rank) of ascending `sorted` values; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `value` rounded to `digits` decimals, as a number for the JSON line. */
export function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

/** A rate per second of `count` things done in `ms` milliseconds, rounded to a whole number. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count * 1000) / ms) : 0;
}
