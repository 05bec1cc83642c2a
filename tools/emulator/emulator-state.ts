import { SetupStore, type SetupOptions } from './setup-routes.js';
import type { Secret } from '../../src/secret.js';
import type { EmulatorStats } from './emulator-stats.js';
import { StatsRecorder } from './emulator-stats.js';
import { ReplicaLog } from './replica-log.js';
import { FaultInjector } from './fault-injector.js';
import { isObject } from './http-io.js';
import { RateLimiter } from './rate-limiter.js';
import type { StoredUser } from './stored-user.js';
import type { TenantVariant } from './tenant-variant.js';
import type { TokenIssuer } from './token-issuer.js';
import { parseUserEntity } from './user-entity-parser.js';
import { isRejection } from './user-rules.js';
import { buildRecord, UserStore } from './user-store.js';

/** The emulator's settings after defaults (see EmulatorOptions for each). */
export interface EmulatorConfig {
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly scopes: readonly string[];
  readonly maxBatch: number;
  readonly maxBodyBytes?: number | undefined;
  readonly migrationMode: boolean;
  readonly tokenTtlSeconds: number;
  readonly rateLimit: number | undefined;
  /** The rate limiter's time (ms, monotonic). */
  readonly clock: () => number;
  readonly latencyMs: number;
  readonly customFieldKeys: ReadonlySet<string> | undefined;
  /** The setup APIs' generation and strictness. */
  readonly setup: SetupOptions;
  readonly verifierUrl: string | undefined;
  /** How this tenant differs from the contract's defaults (tenant-variant.ts). */
  readonly variant: TenantVariant;
}

/** Raised by {@link EmulatorState.seed} for entries that cannot be stored; nothing was stored. */
export class SeedError extends Error {
  override name = 'SeedError';
}

/** Everything an emulator holds: config, users, faults, counters, the token key. */
export class EmulatorState {
  readonly store = new UserStore();
  readonly faults = new FaultInjector();
  readonly stats = new StatsRecorder();
  readonly replicas = new ReplicaLog();
  readonly limiter: RateLimiter | undefined;
  /** Custom fields, roles, groups, providers and apps of the setup APIs. */
  readonly setup: SetupStore;

  constructor(
    readonly config: EmulatorConfig,
    readonly tokens: TokenIssuer,
  ) {
    this.limiter = config.rateLimit === undefined ? undefined : new RateLimiter(config.rateLimit, config.clock);
    this.setup = new SetupStore(config.setup);
  }

  /** GET /_emulator/stats. */
  snapshot(): EmulatorStats {
    return this.stats.snapshot(this.faults.applied, this.store.size);
  }

  /** POST /_emulator/reset: empties the store, faults and stats. Issued tokens stay valid. */
  reset(): void {
    this.store.clear();
    this.faults.clear();
    this.stats.clear();
    this.replicas.clear();
    this.setup.clear();
    this.limiter?.refill();
  }

  /**
   * POST /_emulator/users: stores complete users (each replaces any stored user with its
   * sub), checked by the bulk rules (migrationMode aside) and needing a `sub`; may carry
   * `updatedTime`. All or nothing: any bad entry throws {@link SeedError}.
   */
  seed(users: readonly unknown[]): number {
    const now = new Date().toISOString();
    const records: StoredUser[] = [];
    const problems: string[] = [];
    const emails = new Map<string, string>();
    users.forEach((raw, i) => {
      if (!isObject(raw)) return void problems.push(`users[${i}]: not an object`);
      const patch = parseUserEntity(raw, { allowUpdatedTime: true, customFieldKeys: this.config.customFieldKeys, saltEncoding: this.config.variant.saltEncoding });
      if (isRejection(patch)) return void problems.push(`users[${i}]: ${patch.message}`);
      if (patch.sub === undefined) return void problems.push(`users[${i}]: sub is required to seed`);
      const record = buildRecord(patch, undefined, now);
      const conflict = this.store.checkReplacement(record);
      if (conflict) return void problems.push(`users[${i}]: ${conflict.message}`);
      const email = record.email?.toLowerCase();
      if (email !== undefined) {
        const other = emails.get(email);
        if (other !== undefined && other !== record.sub) return void problems.push(`users[${i}]: email already exists`);
        emails.set(email, record.sub);
      }
      records.push(record);
    });
    if (problems.length > 0) {
      const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
      throw new SeedError(`nothing seeded: ${problems.slice(0, 5).join('; ')}${more}`);
    }
    for (const record of records) this.store.replace(record);
    return records.length;
  }
}
