import type { Command } from 'commander';
import { backfillCommand } from './backfill.js';
import { checkCommand } from './check.js';
import { cutoverCommand } from './cutover.js';
import { demoCommand } from './demo.js';
import { dlqCommand } from './dlq.js';
import { emulatorCommand } from './emulator.js';
import { previewCommand } from './preview.js';
import { runCommand } from './run.js';
import { setupCommand } from './setup.js';
import { statusCommand } from './status.js';
import { verifierCommand } from './verifier.js';
import { verifyCommand } from './verify.js';

/** Adds every subcommand to the program. One file per command. */
export function registerCommands(program: Command): void {
  // Subcommands added with addCommand() do not inherit exitOverride(): a usage error must exit 2.
  const add = (cmd: Command): void => { program.addCommand(cmd.copyInheritedSettings(program)); };
  add(runCommand());
  add(emulatorCommand());
  add(checkCommand());
  add(backfillCommand());
  add(statusCommand());
  add(dlqCommand());
  add(previewCommand());
  add(verifyCommand());
  add(cutoverCommand());
  add(setupCommand());
  add(demoCommand());
  add(verifierCommand());
}
