/**
 * How test/run-tests.ts splits the mocha files among its parallel jobs, and what it reads back
 * from them: pure functions, unit-tested in test/unit/test-setup/test-plan.test.ts.
 */

/** One mocha file to run on one PostgreSQL version. */
export interface PlannedFile {
  readonly major: number;
  readonly file: string;
}

/** What one job runs: per PostgreSQL version (in the order given), one mocha process with these files. */
export interface PlannedJob {
  readonly runs: readonly { readonly major: number; readonly files: readonly string[] }[];
  /** The sum of its files' expected durations (ms). */
  readonly expectedMs: number;
}

/**
 * Splits `files` among `jobs` jobs by their expected durations: longest first, each to the job
 * with the least work so far (so the jobs end close together). A file without a recorded
 * duration counts as the median of the recorded ones and is placed after them, on the job then
 * shortest. Each job runs its files version by version, in the order of `versions`, sorted by
 * name within one version (as a glob would list them).
 */
export function planJobs(
  files: readonly PlannedFile[],
  jobs: number,
  durations: Readonly<Record<string, number>>,
  versions: readonly number[],
): PlannedJob[] {
  const known = files.map((f) => durations[f.file]).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
  const guess = known.length ? known[Math.floor(known.length / 2)]! : 1000;
  const expected = (f: PlannedFile): number => durations[f.file] ?? guess;
  const order = [...files].sort((a, b) => {
    const ka = durations[a.file] !== undefined ? 0 : 1;
    const kb = durations[b.file] !== undefined ? 0 : 1;
    return ka - kb || expected(b) - expected(a) || a.file.localeCompare(b.file) || a.major - b.major;
  });
  const bins = Array.from({ length: Math.max(1, Math.min(jobs, files.length)) }, () => ({ ms: 0, files: [] as PlannedFile[] }));
  for (const f of order) {
    const bin = bins.reduce((least, b) => (b.ms < least.ms ? b : least));
    bin.files.push(f);
    bin.ms += expected(f);
  }
  return bins.map((bin) => ({
    expectedMs: bin.ms,
    runs: versions
      .map((major) => ({ major, files: bin.files.filter((f) => f.major === major).map((f) => f.file).sort() }))
      .filter((run) => run.files.length > 0),
  }));
}

/**
 * The files a mocha argument names: a glob (`*`, `**`, `?`) matched against `available`
 * (paths relative to the repository, `/`-separated), sorted; anything else as it is.
 */
export function expandSpec(spec: string, available: readonly string[]): string[] {
  if (!/[*?]/.test(spec)) return [spec];
  const source = spec
    .split(/(\*\*\/|\*|\?)/)
    .map((part) => (part === '**/' ? '(?:[^/]+/)*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const pattern = new RegExp(`^${source}$`);
  return available.filter((path) => pattern.test(path)).sort();
}

/** The counts in mocha's spec reporter summary (`  12 passing (3s)`, `  1 pending`, `  2 failing`). */
export interface MochaSummary {
  readonly passing: number;
  readonly pending: number;
  readonly failing: number;
}

/** Reads the summary off a mocha run's output (colours or not); undefined when it has none (a crash). */
export function parseMochaSummary(output: string): MochaSummary | undefined {
  // eslint-disable-next-line no-control-regex -- colour codes are what this removes
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const count = (word: string): number | undefined => {
    const matches = [...plain.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    const last = matches.at(-1);
    return last ? Number(last[1]) : undefined;
  };
  const passing = count('passing');
  if (passing === undefined) return undefined;
  return { passing, pending: count('pending') ?? 0, failing: count('failing') ?? 0 };
}
