import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What this needs of a mocha suite. */
interface TimedSuite {
  readonly root: boolean;
  readonly parent?: { readonly root: boolean } | undefined;
  readonly file?: string | undefined;
}

/** What this needs of mocha's runner. */
interface SuiteEvents {
  on(event: 'suite' | 'suite end', listener: (suite: TimedSuite) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/**
 * Measures how long each test file takes (its top-level suites, hooks included, so a file that
 * starts the run's shared database server pays for it) and writes `{ "test/...ts": ms }` to
 * `out` when the run ends. test/run-tests.ts balances its parallel jobs by these figures.
 */
export function recordFileDurations(runner: unknown, out: string): void {
  const events = runner as SuiteEvents;
  const started = new Map<TimedSuite, number>();
  const durations: Record<string, number> = {};
  events.on('suite', (suite) => {
    if (suite.parent?.root && suite.file) started.set(suite, performance.now());
  });
  events.on('suite end', (suite) => {
    const since = started.get(suite);
    if (since === undefined || !suite.file) return;
    const file = relative(ROOT, suite.file);
    durations[file] = (durations[file] ?? 0) + Math.round(performance.now() - since);
  });
  events.on('end', () => writeFileSync(out, `${JSON.stringify(durations, null, 2)}\n`));
}
