import type { Command } from 'commander';

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

/**
 * Every subcommand, in help order, each loaded from its own file only when needed: `run` then
 * never loads the emulator, the demo, the preflight checks or verify (a sidecar that runs for
 * weeks keeps only what it uses in memory).
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command | null>>> = {
  run: async () => (await import('./run.js')).runCommand(),
  emulator: () => devCommand(async () => (await import('./emulator.js')).emulatorCommand()),
  check: async () => (await import('./check.js')).checkCommand(),
  canary: async () => (await import('./canary.js')).canaryCommand(),
  backfill: async () => (await import('./backfill.js')).backfillCommand(),
  status: async () => (await import('./status.js')).statusCommand(),
  dlq: async () => (await import('./dlq.js')).dlqCommand(),
  preview: async () => (await import('./preview.js')).previewCommand(),
  verify: async () => (await import('./verify.js')).verifyCommand(),
  cutover: async () => (await import('./cutover.js')).cutoverCommand(),
  setup: async () => (await import('./setup.js')).setupCommand(),
  demo: () => devCommand(async () => (await import('./demo.js')).demoCommand()),
  verifier: async () => (await import('./verifier.js')).verifierCommand(),
  healthcheck: async () => (await import('./healthcheck.js')).healthcheckCommand(),
};

/**
 * The subcommand `argv` names (its first argument that is not an option), or null when it names
 * none of ours (top-level help, `help`, a typo): then every command is needed.
 */
export function invokedCommand(argv: readonly string[]): string | null {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : null;
}

/** Adds the subcommand `argv` invokes to the program, or every subcommand when it names none. One file per command. */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  // Subcommands added with addCommand() do not inherit exitOverride(): a usage error must exit 2.
  const add = (cmd: Command): void => { program.addCommand(cmd.copyInheritedSettings(program)); };
  const only = invokedCommand(argv);
  for (const [name, load] of Object.entries(COMMANDS)) {
    if (only !== null && only !== name) continue;
    const cmd = await load();
    if (cmd) add(cmd);
  }
}
