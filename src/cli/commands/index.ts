import type { Command } from 'commander';
import { emulatorCommand } from './emulator.js';
import { runCommand } from './run.js';

/** Adds every subcommand to the program. One file per command. */
export function registerCommands(program: Command): void {
  // Subcommands added with addCommand() do not inherit exitOverride(): a usage error must exit 2.
  const add = (cmd: Command): void => { program.addCommand(cmd.copyInheritedSettings(program)); };
  add(runCommand());
  add(emulatorCommand());
}
