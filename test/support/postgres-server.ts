import { postgresBindir as findPostgresBindir, startThrowawayPostgres, ThrowawayPostgres } from '../../tools/throwaway/throwaway-postgres.js';
import type { ServerTls } from '../../tools/throwaway/server-tls.js';
import { registerServer } from './server-registry.js';

/**
 * A throwaway PostgreSQL cluster for tests (tools/throwaway/throwaway-postgres.ts): its own
 * temp data dir, a free port on 127.0.0.1, `wal_level=logical`, trust authentication
 * (replication included) and fsync off. Create it with {@link startPostgresServer}.
 */
export { ThrowawayPostgres as PostgresServer };

/** Creates, configures and starts a new PostgreSQL cluster; it stops when the test run ends. */
export async function startPostgresServer(o: { tls?: ServerTls } = {}): Promise<ThrowawayPostgres> {
  return startThrowawayPostgres({ tempPrefix: 'cidaas-test-pg-', bindirEnv: 'CIDAAS_TEST_PG_BINDIR', onCreated: registerServer, ...o });
}

/** The PostgreSQL programs: $CIDAAS_TEST_PG_BINDIR, else `pg_config --bindir`, else Debian's PG 15 path. */
export function postgresBindir(): string {
  return findPostgresBindir('CIDAAS_TEST_PG_BINDIR');
}
