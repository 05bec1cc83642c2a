/** `full` size, or `small`: a tenth of it (BENCH_SCALE=small). */
export type BenchScale = 'full' | 'small';

/** The figures a benchmark measured: BENCH.md names the fields of each. */
export type BenchFigures = Record<string, number | string>;

/**
 * One benchmark. `run` measures and returns its figures; it never writes to stdout
 * (progress goes to stderr): the runner prints the one JSON line, adding `bench`,
 * `scale`, `node` and `at`.
 */
export interface Bench {
  /** The `bench` value of BENCH.md, e.g. `emulator.bulk`. */
  readonly name: string;
  run(scale: BenchScale): Promise<BenchFigures>;
}

/** Progress for the person watching: stderr only. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
