import pg from 'pg';
import type { Logger } from '../../src/observability/logger.js';
import type { Secret } from '../../src/secret.js';
import { HeartbeatWriter } from '../heartbeat-writer.js';
import type { HeartbeatOptions } from '../heartbeat-writer.js';
import { quoteIdent, quoteQualified } from './postgres-identifiers.js';
import { pgConnectionConfig } from '../../src/security/pg-connection-config.js';

/**
 * The PostgreSQL heartbeat (`source.heartbeat.table`): every interval, on a connection of its own,
 * `INSERT INTO t (id, beat) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET beat = excluded.beat`.
 * The write makes WAL, so the server's next keepalive carries a later position, which becomes an
 * idle position with nothing of ours pending. The table must NOT be in the publication (its
 * changes would only be decoded to be dropped). The DBA creates it, as the tables' owner:
 *
 * ```sql
 * CREATE TABLE public.cidaas_sync_heartbeat (id int PRIMARY KEY, beat timestamp);
 * GRANT INSERT, UPDATE ON public.cidaas_sync_heartbeat TO cidaas_sync;
 * ```
 */
export function postgresHeartbeat(url: Secret, options: HeartbeatOptions, logger: Logger): HeartbeatWriter {
  const table = quoteQualified(options.table);
  let client: pg.Client | null = null;
  const connect = async (): Promise<pg.Client> => {
    if (client) return client;
    const c = new pg.Client({
      ...pgConnectionConfig(url),
      application_name: 'cidaas-sync-heartbeat',
      // A write stuck behind a lock must not hold the next beats back for long.
      statement_timeout: Math.max(5000, options.intervalMs),
    });
    c.on('error', () => {
      if (client === c) client = null;
    });
    c.on('end', () => {
      if (client === c) client = null;
    });
    await c.connect();
    client = c;
    return c;
  };
  return new HeartbeatWriter(options, {
    async write() {
      const c = await connect();
      await c.query(`INSERT INTO ${table} (id, beat) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET beat = excluded.beat`);
    },
    async fix(err) {
      const code = (err as { code?: unknown }).code;
      const role = quoteIdent(decodeURIComponent(new URL(url.reveal()).username) || 'cidaas_sync');
      const grant = `GRANT INSERT, UPDATE ON ${table} TO ${role};`;
      if (code === '42P01') return `CREATE TABLE ${table} (id int PRIMARY KEY, beat timestamp); ${grant} (and leave it out of the publication)`;
      if (code === '42501') return grant;
      if (code === '25006') return 'the source is a read-only standby: remove source.heartbeat, or point source.url at the primary';
      return `check that ${options.table} exists as (id int PRIMARY KEY, beat timestamp) and that ${role} may write it: ${grant}`;
    },
    async close() {
      const c = client;
      client = null;
      await c?.end();
    },
  }, logger.child({ component: 'heartbeat' }));
}
