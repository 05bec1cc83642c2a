import type { Config } from '../../config/config-schema.js';
import type { PreflightItem } from '../preflight/preflight-item.js';
import { parseStateStoreUrl } from '../state/state-store-url.js';
import type { StateStore } from '../state/state-store.js';
import { META } from '../state/meta-keys.js';

/** The meta key where the active replica notes the MySQL server id it streams with. */
export const SERVER_ID_META = META.haServerId;

/**
 * `check` with `ha.enabled`: a state store the replicas share, and on MySQL/MariaDB one
 * `source.serverId` for every replica (two ids would be two binlog readers streaming at once; with
 * one id the server drops the older connection). `stored`: the id the active replica last noted.
 *
 * One id rather than one per replica: the server ends a paused holder's dump the moment the new
 * holder's starts, with no help from the paused process. The other side of that, a resumed holder
 * whose reconnect would drop the new holder's dump in turn, cannot happen: a replica stops its log
 * reader the moment it loses the lease and asks the lease before every (re)connect (HaRunner).
 */
export function checkHa(config: Config, stored: string | null): PreflightItem[] {
  const loc = parseStateStoreUrl(config.state.url.reveal());
  const items: PreflightItem[] = [];
  if (loc.kind === 'sqlite') {
    items.push(loc.path === ':memory:'
      ? { name: 'ha state store', ok: false, detail: 'sqlite::memory: cannot be shared by replicas', fix: 'set state.url to a PostgreSQL or MySQL database the replicas share' }
      : { name: 'ha state store', ok: false, severity: 'warning', detail: `SQLite ${loc.path}: a file lock, so the replicas must run on this one host`, fix: 'for replicas on several hosts set state.url to a PostgreSQL or MySQL database (e.g. the legacy database: the tables are named cidaas_sync_*)' });
  } else {
    items.push({ name: 'ha state store', ok: true, detail: `${loc.kind === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'} ${loc.display}: the lease row lives beside the checkpoint` });
  }
  const src = config.source;
  // Only the binlog reader has a server id (MySQL/MariaDB).
  if ('serverId' in src) {
    const mine = String(src.serverId);
    items.push(stored === null || stored === mine
      ? { name: 'ha source.serverId', ok: true, detail: `${mine}${stored === null ? ' (no replica has streamed yet)' : ', the same as the active replica'}: every replica must use it` }
      : {
          name: 'ha source.serverId', ok: false, severity: 'warning',
          detail: `${mine}, but the active replica streams with ${stored}: with two ids both could stream at once (the fencing stops the pushes, not the binlog readers)`,
          fix: `set source.serverId: ${stored} in every replica's configuration (the server drops the older connection of one id)`,
        });
  }
  return items;
}

/** The server id the active replica noted, or null. */
export function storedServerId(store: StateStore): Promise<string | null> {
  return store.getMeta(SERVER_ID_META);
}
