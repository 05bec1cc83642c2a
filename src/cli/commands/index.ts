import type { Command } from 'commander';
import { backfillCommand } from './backfill.js';
import { checkCommand } from './check.js';
import { cutoverCommand } from './cutover.js';
import { dlqCommand } from './dlq.js';
import { healthcheckCommand } from './healthcheck.js';
import { previewCommand } from './preview.js';
import { runCommand } from './run.js';
import { setupCommand } from './setup.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/**
 * A development command (the emulator, the demo): the production image leaves its files out, and
 * then the command does not exist. Any other failure to load is a bug and is thrown.
 */
async function devCommand(load: () => Promise<Command>): Promise<Command | null> {
  try {
    return await load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

/** Adds every subcommand to the program. One file per command. */
export async function registerCommands(program: Command): Promise<void> {
  const emulator = await devCommand(async () => (await import('./emulator.js')).emulatorCommand());
  const demo = await devCommand(async () => (await import('./demo.js')).demoCommand());
  // Subcommands added with addCommand() do not inherit exitOverride(): a usage error must exit 2.
  const add = (cmd: Command): void => { program.addCommand(cmd.copyInheritedSettings(program)); };
  add(runCommand());
  if (emulator) add(emulator);
  add(checkCommand());
  add(backfillCommand());
  add(statusCommand());
  add(dlqCommand());
  add(previewCommand());
  add(verifyCommand());
  add(cutoverCommand());
  add(setupCommand());
  if (demo) add(demo);
  add(healthcheckCommand());
}
