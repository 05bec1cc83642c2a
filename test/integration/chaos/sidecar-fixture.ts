import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { waitForConvergence, type ConvergenceResult } from '../../support/convergence.js';
import { uniqueName } from '../../support/servers.js';
import { startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers, type SeededUsers } from '../../support/user-generator.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';
import { httpPortOf, streaming } from './sidecar-probe.js';

/**
 * One legacy database with seeded users, one emulator and one sidecar configuration: the stage of
 * the tests of faults of the surroundings and of the chaos regressions. The sidecar runs as a
 * child process, started with {@link SidecarFixture.start} as often as a test needs.
 */

/** Options of {@link openSidecarFixture}. */
export interface SidecarFixtureOptions {
  /** Users seeded before the first start; default 200. */
  readonly users?: number;
  readonly seed?: number;
  /** State store URL; default a SQLite file in the config's directory. */
  readonly stateUrl?: string;
  /** Deep-merged over the generated config (see writeShopConfig). */
  readonly extra?: Record<string, unknown>;
}

/** A started sidecar: the process and its HTTP port. */
export interface StartedSidecar {
  readonly p: SidecarProcess;
  readonly port: number;
}

/** See the module comment. */
export interface SidecarFixture {
  readonly kind: ShopDbKind;
  readonly target: SyncTarget;
  readonly emu: RunningEmulator;
  readonly config: ShopConfigFile;
  readonly seeded: SeededUsers;
  /** The PostgreSQL replication slot of the config (unused on MariaDB). */
  readonly slot: string;
  /** Starts the sidecar and resolves once it streams. */
  /** `env`: added to the sidecar's environment (e.g. LOG_LEVEL debug for its per-push lines). */
  start(env?: Readonly<Record<string, string>>): Promise<StartedSidecar>;
  /** Waits until the emulator matches the legacy database; fails early when `p` exits. */
  converge(p: SidecarProcess, timeoutMs?: number, expectDeadLetters?: string[]): Promise<ConvergenceResult>;
  /** Kills what is left, drops the database, closes the emulator, removes the config. */
  close(): Promise<void>;
}

const CLIENT_ID = 'surroundings';
const CLIENT_SECRET = 'surroundings-secret-0042';

/** Creates the database, seeds it, starts the emulator and writes the config. */
export async function openSidecarFixture(kind: ShopDbKind, o: SidecarFixtureOptions = {}): Promise<SidecarFixture> {
  const target = await createSyncTarget(kind);
  const emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const seeded = await seedUsers(target.db, o.users ?? 200, o.seed ?? 7);
  const slot = uniqueName('chaos_slot');
  const config = await writeShopConfig({
    kind, sourceUrl: target.url, publication: target.publication, slot, emulatorUrl: emu.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
    ...(o.stateUrl === undefined ? {} : { stateUrl: o.stateUrl }), ...(o.extra === undefined ? {} : { extra: o.extra }),
  });
  const started: SidecarProcess[] = [];
  return {
    kind, target, emu, config, seeded, slot,
    async start(env) {
      const p = startSidecar({ args: ['run', '--config', config.path, '--no-progress'], ...(env ? { env } : {}) });
      started.push(p);
      const port = await httpPortOf(p);
      await streaming(p);
      return { p, port };
    },
    converge: (p, timeoutMs = 60_000, expectDeadLetters = []) => waitForConvergence(target.db, emu, { sidecar: p, timeoutMs, expectDeadLetters }),
    async close() {
      await Promise.all(started.map((p) => p.kill9()));
      await emu.close();
      await target.drop();
      await config.remove();
    },
  };
}
