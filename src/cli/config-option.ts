import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import type { Config } from '../../config/config-schema.js';

/** Adds `--config FILE` (default: $CIDAAS_SYNC_CONFIG or ./cidaas-sync.yaml). */
export function withConfigOption(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'the YAML configuration file', process.env.CIDAAS_SYNC_CONFIG ?? 'cidaas-sync.yaml');
}

/** Loads the configuration named by `--config`; a ConfigError ends the command with exit 2. */
export function configFrom(opts: { config: string }): Promise<Config> {
  return loadConfig(opts.config);
}
