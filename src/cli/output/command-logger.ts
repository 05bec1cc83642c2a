import { createLogger, type Logger, type LogLevel } from '../../observability/logger.js';

/**
 * The logger of an operator command: to stderr, so that stdout carries only the command's answer
 * (a table, or JSON with `--json`); `LOG_LEVEL` overrides the level.
 */
export function commandLogger(level: LogLevel = 'warn'): Logger {
  return createLogger({ stream: process.stderr, level: (process.env.LOG_LEVEL as LogLevel | undefined) ?? level });
}
