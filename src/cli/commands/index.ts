import type { Command } from 'commander';
import { emulatorCommand } from './emulator.js';
import { runCommand } from './run.js';

/** Adds every subcommand to the program. One file per command. */
export function registerCommands(program: Command): void {
  program.addCommand(runCommand());
  program.addCommand(emulatorCommand());
}
