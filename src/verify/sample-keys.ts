import { assertPageAdvanced } from '../legacy-key.js';
import type { LegacyReader } from '../legacy-reader.js';

/** A uniform random sample of legacy keys, and how many keys there were. */
export interface KeySample {
  /** The sampled keys, in the legacy key order. */
  readonly keys: string[];
  /** Every key walked (the exact legacy user count). */
  readonly legacyUsers: number;
}

/**
 * Draws `n` keys uniformly at random from the users table (reservoir sampling, Algorithm R)
 * while walking its keys once in pages: only keys are read, so this costs a small fraction of
 * a full verify. The sample comes back in key order. `signal` stops the walk early (the sample
 * then covers the keys walked so far).
 */
export async function sampleKeys(
  reader: LegacyReader,
  n: number,
  o: { pageSize: number; random: () => number; signal?: { readonly aborted: boolean } },
): Promise<KeySample> {
  const reservoir: { key: string; at: number }[] = [];
  let seen = 0;
  let after: string | null = null;
  let previous: readonly string[] = [];
  for (;;) {
    if (o.signal?.aborted) break;
    const page = await reader.pageKeys(after, o.pageSize);
    assertPageAdvanced(previous, page, 'users.key');
    previous = page;
    for (const key of page) {
      if (reservoir.length < n) reservoir.push({ key, at: seen });
      else {
        const j = Math.floor(o.random() * (seen + 1));
        if (j < n) reservoir[j] = { key, at: seen };
      }
      seen++;
    }
    if (page.length < o.pageSize) break;
    after = page[page.length - 1]!;
  }
  reservoir.sort((a, b) => a.at - b.at);
  return { keys: reservoir.map((r) => r.key), legacyUsers: seen };
}
