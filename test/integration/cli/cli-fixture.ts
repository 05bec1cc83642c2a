import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { createPostgresDatabase, type PostgresTestDatabase } from '../../support/servers.js';
import { createShopSchema, openShopDb, type ShopDb } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile, type ShopConfigOptions } from '../../support/test-config.js';

export const CLIENT_ID = 'cli-test-client';
export const CLIENT_SECRET = 'cli-test-secret-0123456789';

/** A shop database, an emulator and a config naming both, for one CLI test file. */
export interface CliFixture {
  readonly db: PostgresTestDatabase;
  readonly shop: ShopDb;
  readonly emulator: RunningEmulator;
  readonly config: ShopConfigFile;
  /** Writes another config for the same database (another secret, role URL, ...). */
  writeConfig(over?: Partial<ShopConfigOptions>): Promise<ShopConfigFile>;
  close(): Promise<void>;
}

/** Options of {@link cliFixture}. */
export interface CliFixtureOptions {
  /** Create publication `cidaas_sync` over the shop tables (default true). */
  readonly publication?: boolean;
  readonly emulator?: Partial<EmulatorOptions>;
  readonly config?: Partial<ShopConfigOptions>;
}

/** Creates the database with the shop schema, starts an emulator and writes a config. */
export async function cliFixture(o: CliFixtureOptions = {}): Promise<CliFixture> {
  const db = await createPostgresDatabase('cli');
  await createShopSchema({ url: db.url, kind: 'postgres' }, o.publication === false ? {} : { publication: 'cidaas_sync' });
  const shop = await openShopDb({ url: db.url, kind: 'postgres' });
  const emulator = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...o.emulator });
  const configs: ShopConfigFile[] = [];
  const writeConfig = async (over: Partial<ShopConfigOptions> = {}): Promise<ShopConfigFile> => {
    const c = await writeShopConfig({
      kind: 'postgres', sourceUrl: db.url, publication: 'cidaas_sync', emulatorUrl: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      ...o.config, ...over,
    });
    configs.push(c);
    return c;
  };
  const config = await writeConfig();
  return {
    db, shop, emulator, config, writeConfig,
    close: async () => {
      await shop.close();
      await emulator.close();
      await db.drop();
      for (const c of configs) await c.remove();
    },
  };
}
