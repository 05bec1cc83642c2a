import type { Config } from '../../config/config-schema.js';
import type { Logger } from '../observability/logger.js';

/**
 * PostgreSQL: waits until no walsender holds the replication slot. After the previous holder died
 * its walsender may keep the slot "active for PID" until it notices: at once when the connection
 * closed (the process was killed), at the latest after `wal_sender_timeout` when the host vanished
 * or the process is paused. Returns early when `keepWaiting` turns false. MySQL: nothing to wait
 * for (the server drops the older connection of the same server id).
 */
export async function waitForSlot(config: Config, logger: Logger, keepWaiting: () => boolean): Promise<void> {
  const src = config.source;
  if (src.kind !== 'postgres') return;
  const { slotHolder } = await import('../../adapters/postgres/postgres-server.js');
  let said: number | null = null;
  const started = Date.now();
  while (keepWaiting()) {
    let holder: { pid: number; application: string | null } | null;
    try {
      holder = await slotHolder(src.url, src.slot);
    } catch (err) {
      logger.warn('the replication slot cannot be checked now; trying again', { error: (err as Error).message });
      holder = { pid: said ?? 0, application: null };
    }
    if (holder === null) {
      if (said !== null) logger.info('the replication slot is free', { slot: src.slot, waitedMs: Date.now() - started });
      return;
    }
    if (holder.pid !== said && holder.pid !== 0) {
      said = holder.pid;
      logger.warn('waiting for the replication slot: it is still active for the walsender of the previous holder', {
        slot: src.slot, pid: holder.pid, application: holder.application,
        why: 'PostgreSQL ends that walsender once it notices the old connection is gone, at the latest after wal_sender_timeout',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
