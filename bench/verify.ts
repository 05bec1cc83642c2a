/**
 * `verify`: verify of 200,000 users (20,000 small) against the emulator, reported as users/s
 * (BENCH.md; goal: 1M users in < 300 s, i.e. > 3,333 users/s). Seeds the shop schema in a
 * throwaway PostgreSQL, leaves what a finished sync leaves (every mapped user in an emulator in
 * its own process, the outcomes in a SQLite state store), then times `verifyUsers` reading
 * cidaas by search (`users_per_s`) and by GET (`users_per_s_get`). VERIFY_LOG=1 shows each pass.
 */
import { progress, type Bench, type BenchFigures, type BenchScale } from './bench.js';
import { request } from 'undici';
import { loadConfig } from '../config/load-config.js';
import { PostgresDialect } from '../adapters/postgres/postgres-dialect.js';
import { readerTables } from '../src/app/pipeline-tables.js';
import { CidaasClient } from '../src/cidaas/cidaas-client.js';
import { userToWire } from '../src/cidaas/cidaas-user.js';
import { fingerprintUser } from '../src/digest/fingerprints.js';
import { createLogger, silentLogger } from '../src/observability/logger.js';
import { Secret } from '../src/secret.js';
import { SqlLegacyReader } from '../src/sql-legacy-reader.js';
import { openStateStore } from '../src/state/open-state-store.js';
import type { OutcomeRecord } from '../src/state/state-store.js';
import { UserMapper } from '../src/user-mapper.js';
import { ownedFieldsOf } from '../src/verify/owned-fields.js';
import { verifyUsers } from '../src/verify/verify-users.js';
import { BENCH_CLIENT } from './support/bench-sidecar.js';
import { EmulatorProcess } from './support/emulator-process.js';
import { stopAllServers } from '../test/support/server-registry.js';
import { createPostgresDatabase } from '../test/support/servers.js';
import { createShopSchema, openShopDb } from '../test/support/shop-schema.js';
import { seedUsers } from '../test/support/user-generator.js';
import { writeShopConfig } from '../test/support/test-config.js';

/** VERIFY_LOG=debug shows how long each pass took. */
const verbose = process.env.VERIFY_LOG ? createLogger({ level: 'debug', format: 'pretty', stream: process.stderr }) : silentLogger;


async function run(scale: BenchScale): Promise<BenchFigures> {
  const users = scale === 'full' ? 200_000 : 20_000;
  const database = await createPostgresDatabase('bench_verify');
  await createShopSchema({ url: database.url, kind: 'postgres' });
  const shop = await openShopDb({ url: database.url, kind: 'postgres' });
  const emulator = await EmulatorProcess.start({ ...BENCH_CLIENT });
  const file = await writeShopConfig({
    kind: 'postgres', sourceUrl: database.url, emulatorUrl: emulator.url,
    clientId: BENCH_CLIENT.clientId, clientSecret: BENCH_CLIENT.clientSecret,
  });
  try {
    progress(`seeding ${users} legacy users`);
    await seedUsers(shop, users, 5);
    await shop.query('ANALYZE');
    const config = await loadConfig(file.path);
    const reader = new SqlLegacyReader(new PostgresDialect(new Secret(database.url), { maxConnections: 8 }), readerTables(config));
    const mapper = new UserMapper(config);
    const store = await openStateStore(config.state.url);
    const client = new CidaasClient({ baseUrl: emulator.url, clientId: BENCH_CLIENT.clientId, clientSecret: new Secret(BENCH_CLIENT.clientSecret), logger: silentLogger, connections: 16, allowEmulator: true });
    try {
      progress('leaving what a finished sync leaves: users in the emulator, outcomes in the state store');
      const pushedAt = new Date(Date.now() - 60_000);
      for (let after: string | null = null; ;) {
        const keys = await reader.pageKeys(after, 1000);
        if (keys.length === 0) break;
        after = keys[keys.length - 1]!;
        const rows = await reader.readUsers(keys);
        const seed: unknown[] = [];
        const outcomes: OutcomeRecord[] = [];
        for (const key of keys) {
          const m = await mapper.map(rows.get(key)!);
          if (m.kind !== 'upsert') continue;
          seed.push({ ...userToWire(m.user), updatedTime: pushedAt.toISOString() });
          outcomes.push({ kind: 'pushed', key, sub: m.sub, fingerprints: fingerprintUser(m.user, store.fingerprintKey()), at: pushedAt });
        }
        const res = await request(`${emulator.url}/_emulator/users`, { method: 'POST', body: JSON.stringify(seed), headers: { 'content-type': 'application/json' } });
        if (res.statusCode !== 200) throw new Error(`seeding the emulator failed: ${await res.body.text()}`);
        await res.body.dump();
        await store.recordOutcomes(outcomes);
      }
      const figures: BenchFigures = { users };
      for (const cidaasRead of (process.env.VERIFY_READ ? [process.env.VERIFY_READ] : ['search', 'get']) as ('search' | 'get')[]) {
        progress(`verify, cidaas read by ${cidaasRead}`);
        const report = await verifyUsers({ reader, mapper, client, store, logger: verbose, ownedFields: ownedFieldsOf(config), cidaasRead });
        if (!report.equal || report.checked !== users) throw new Error(`verify by ${cidaasRead} was not clean: ${JSON.stringify(report.counts)}`);
        figures[cidaasRead === 'search' ? 'users_per_s' : 'users_per_s_get'] = report.usersPerSecond;
        figures[cidaasRead === 'search' ? 'seconds' : 'seconds_get'] = report.durationMs / 1000;
      }
      return figures;
    } finally {
      await client.close();
      await store.close();
      await reader.close();
    }
  } finally {
    await emulator.close();
    await file.remove();
    await shop.close();
    await database.drop();
    // The shared PostgreSQL server would keep the process alive.
    await stopAllServers();
  }
}

export const verifyBench: Bench = { name: 'verify', run };
