/**
 * The PostgreSQL versions a test run covers, from `TEST_PG_VERSIONS`: unset or
 * `oldest,newest` (the default), `all`, or major versions (`16,17`). The first runs
 * everything, the others the shared PostgreSQL suites. Oldest first, no repeats.
 */
export function parsePostgresVersions(setting: string | undefined, supported: readonly number[]): number[] {
  const oldest = Math.min(...supported);
  const newest = Math.max(...supported);
  const words = (setting?.trim() ? setting : 'oldest,newest').split(/[\s,]+/).filter(Boolean);
  const picked = new Set<number>();
  for (const word of words) {
    if (word === 'all') supported.forEach((v) => picked.add(v));
    else if (word === 'oldest') picked.add(oldest);
    else if (word === 'newest') picked.add(newest);
    else if (/^\d+$/.test(word) && supported.includes(Number(word))) picked.add(Number(word));
    else {
      throw new Error(
        `TEST_PG_VERSIONS=${setting ?? ''}: "${word}" is not one of all, oldest, newest or a supported major version (${supported.join(', ')})`,
      );
    }
  }
  return [...picked].sort((a, b) => a - b);
}
