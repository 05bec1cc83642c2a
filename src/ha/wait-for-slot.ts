import type { Config } from '../../config/config-schema.js';
import type { Logger } from '../observability/logger.js';
import { sourceAdapterFor } from '../source-adapter-for.js';

/**
 * Waits until no reader of the previous holder still holds the source's log (PostgreSQL: a
 * walsender keeping the replication slot active until it notices its connection is gone), or
 * until `keepWaiting` turns false. MySQL: nothing to wait for (the server drops the older
 * connection of the same server id). The source adapter knows how: see its `waitForLogFree`.
 */
export async function waitForSlot(config: Config, logger: Logger, keepWaiting: () => boolean): Promise<void> {
  await (await sourceAdapterFor(config.source)).waitForLogFree(logger, keepWaiting);
}
