import { Command, InvalidArgumentError, Option } from 'commander';
import { duration, streamOutput } from '../../../tools/demo/demo-output.js';
import { runDemo } from '../../../tools/demo/run-demo.js';
import { Teardown } from '../../../tools/demo/teardown.js';
import { ExitCode, SyncError } from '../../errors.js';

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    return n;
  };
}

interface DemoCommandOptions {
  users: number;
  latencyMs: number;
  progress: boolean;
  verbose: boolean;
}

/**
 * `cidaas-sync demo`: watch a migration on this machine. Needs only the PostgreSQL server
 * programs (`pg_config --bindir`, or $CIDAAS_PG_BINDIR); starts and removes everything else.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('watch a migration: a throwaway PostgreSQL shop with 10,000 users, the cidaas emulator and the sidecar, live changes landing in cidaas, verify; then everything is stopped and deleted')
    .addOption(new Option('--users <n>', 'legacy users to create').default(10_000).argParser(integer(200, 1_000_000)))
    .addOption(new Option('--latency-ms <ms>', 'delay the emulated cidaas adds to every API call').default(30).argParser(integer(0, 10_000)))
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--verbose', "show the sidecar's own log (info) on stderr", false)
    .addHelpText('after', '\nNeeds the PostgreSQL 15+ server programs (initdb, postgres): found through `pg_config --bindir`, or set CIDAAS_PG_BINDIR.\nRuns as root too: the database then runs as the postgres (or nobody) account.\n\nExamples:\n  npm run demo\n  cidaas-sync demo --users 50000 --latency-ms 80')
    .action(async (opts: DemoCommandOptions) => {
      const controller = new AbortController();
      const teardown = new Teardown();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals === 1) {
          process.stderr.write(`\n${signal}: stopping the demo cleanly (again to stop at once)\n`);
          controller.abort(new SyncError('USAGE', `interrupted by ${signal}`, { exitCode: ExitCode.runtime }));
          return;
        }
        teardown.killNow();
        process.exit(130);
      };
      // Last resort for an exit without teardown: kill the servers, delete the temp dirs.
      const onExit = (): void => teardown.killNow();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.on('exit', onExit);
      const out = streamOutput(process.stdout);
      try {
        const timings = await runDemo({ users: opts.users, latencyMs: opts.latencyMs, progressBar: opts.progress, verbose: opts.verbose, out, signal: controller.signal, teardown });
        out.line();
        out.line('summary');
        for (const t of timings) out.line(`  ${t.label.padEnd(32)} ${duration(t.ms).padStart(8)}${t.note ? `   ${t.note}` : ''}`);
        out.line();
        out.line('Nothing is left running. Next: copy config/postgres.example.yaml for your database, then `cidaas-sync check --config <your copy>`.');
      } catch (err) {
        if (controller.signal.aborted) {
          process.exitCode = 130;
          return;
        }
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('exit', onExit);
      }
    });
}
