import type { Config } from '../../config/config-schema.js';
import { loadMappingModule } from '../../config/load-mapping-module.js';
import type { MappingFunction } from '../../config/mapping-types.js';
import { openSource } from '../app/open-pipeline.js';
import { readerTables } from '../app/pipeline-tables.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { Logger } from '../observability/logger.js';
import { SqlLegacyReader } from '../sql-legacy-reader.js';
import { UserMapper } from '../user-mapper.js';

/** What `preview` and `check` read users with: the reader and the mapper the push uses, nothing that talks to cidaas. */
export interface LegacyReading {
  readonly reader: LegacyReader;
  readonly mapper: UserMapper;
}

/**
 * Opens a reader on the legacy database and the user mapper (loading the mapping module unless
 * `mapping` is passed: `null` for none), runs `fn`, and closes the reader whatever happens.
 */
export async function usingLegacyReader<T>(
  config: Config, logger: Logger, fn: (r: LegacyReading) => Promise<T>, mapping?: MappingFunction | null,
): Promise<T> {
  const module = mapping !== undefined ? (mapping ?? undefined) : config.mapping ? await loadMappingModule(config.mapping) : undefined;
  const { source, dialect } = await openSource(config, logger);
  const reader = new SqlLegacyReader(dialect, readerTables(config));
  try {
    return await fn({ reader, mapper: new UserMapper(config, module, config.engine.mappingTimeoutMs) });
  } finally {
    await reader.close().catch(() => undefined);
    await source.stop().catch(() => undefined);
  }
}
