import type { Logger as TypeormLogger } from 'typeorm';
import type { Logger } from '../observability/logger.js';

/**
 * Routes typeorm's own messages to our logger. Queries and their parameters are never logged
 * (errors are wrapped and reported by the store); slow queries, pool warnings and migrations are.
 */
export class TypeormLogBridge implements TypeormLogger {
  constructor(private readonly logger: Logger) {}

  logQuery(): void {}

  logQueryError(): void {}

  logQuerySlow(time: number, query: string): void {
    this.logger.warn('state store query was slow', { ms: time, query: query.slice(0, 200) });
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
