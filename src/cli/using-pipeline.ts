import type { Config } from '../../config/config-schema.js';
import { openPipeline, type Pipeline } from '../app/open-pipeline.js';
import type { Logger } from '../observability/logger.js';
import { SyncMetrics } from '../observability/metrics.js';

/**
 * Opens the whole pipeline (state store, source, reader, cidaas client, dispatcher) for a command
 * that pushes users (`backfill`, `dlq retry`), runs `fn`, and closes everything whatever happens.
 */
export async function usingPipeline<T>(config: Config, logger: Logger, fn: (p: Pipeline, metrics: SyncMetrics) => Promise<T>): Promise<T> {
  const metrics = new SyncMetrics();
  const pipeline = await openPipeline(config, { logger, metrics });
  try {
    return await fn(pipeline, metrics);
  } finally {
    await pipeline.close();
  }
}
