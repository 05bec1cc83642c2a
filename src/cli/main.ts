import { Command, CommanderError } from 'commander';
import { SyncError, ExitCode } from '../errors.js';
import { registerCommands } from './commands/index.js';
import { redactText } from '../redact/redact.js';

const program = new Command('cidaas-sync')
  .description('Keeps cidaas in step with a legacy user database during a long-term migration.')
  .showHelpAfterError()
  .exitOverride();
await registerCommands(program, process.argv);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? ExitCode.ok : ExitCode.config;
  } else if (err instanceof SyncError) {
    process.stderr.write(redactText(err.describe()) + '\n');
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(redactText(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`) + '\n');
    process.exitCode = ExitCode.runtime;
  }
}
