import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { uniqueName } from './servers.js';
import type { ShopDbKind } from './shop-schema.js';

/** What {@link writeShopConfig} writes: the source, the emulator, and optional tuning. */
export interface ShopConfigOptions {
  readonly kind: ShopDbKind;
  /** The legacy database URL (the shop schema must exist there). */
  readonly sourceUrl: string;
  /** PostgreSQL replication slot; default a name unique in this run. */
  readonly slot?: string;
  /** PostgreSQL publication; default `cidaas_sync`. Pass the one given to createShopSchema. */
  readonly publication?: string;
  /** The emulator's base URL (`RunningEmulator.url`). */
  readonly emulatorUrl: string;
  readonly clientId: string;
  /** Written to a file next to the config and read through `${file:...}`, never into the YAML. */
  readonly clientSecret: string;
  /** State store URL; default `sqlite:<dir>/state.db`. */
  readonly stateUrl?: string;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly onDelete?: 'purge' | 'lock' | 'ignore';
  /** Deep-merged over the generated config (objects merge, anything else replaces; a key set to undefined is dropped, e.g. `{ mfa: undefined }`). */
  readonly extra?: Record<string, unknown>;
}

/** A written config file. */
export interface ShopConfigFile {
  /** The YAML file. */
  readonly path: string;
  /** Its own temporary directory (the secret file and the default state database live here). */
  readonly dir: string;
  /** The sqlite state database file when the state store is sqlite, else ''. */
  readonly statePath: string;
  /** Deletes the directory and everything in it. */
  remove(): Promise<void>;
}

let serverIds = 0;

/** A MariaDB replica id unique among this run's sidecars (two readers with one id cut each other off). */
export function uniqueServerId(): number {
  serverIds += 1;
  return 100_000 + ((process.pid % 20_000) * 1000 + serverIds) % 2_000_000_000;
}

/**
 * Writes the shop schema's configuration (docs/architecture.md "Configuration") into a new temp
 * dir: the mapping of shop-schema.ts, sub prefix `legacy-`, the emulator as tenant,
 * /metrics on a free port. It loads with `loadConfig(path)`.
 */
export async function writeShopConfig(opts: ShopConfigOptions): Promise<ShopConfigFile> {
  const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-config-'));
  const secretPath = join(dir, 'client-secret');
  await writeFile(secretPath, `${opts.clientSecret}\n`, { mode: 0o600 });
  const sqlitePath = join(dir, 'state.db');
  const stateUrl = opts.stateUrl ?? `sqlite:${sqlitePath}`;
  const postgres = opts.kind === 'postgres';
  const table = (name: string): string => (postgres ? `public.${name}` : name);

  const config: Record<string, unknown> = {
    source: postgres
      ? { kind: 'postgres', url: opts.sourceUrl, slot: opts.slot ?? uniqueName('slot'), publication: opts.publication ?? 'cidaas_sync' }
      : { kind: 'mysql', url: opts.sourceUrl, serverId: uniqueServerId() },
    users: {
      table: table('users'),
      key: 'id',
      softDelete: { column: 'deleted_at' },
      fields: {
        email: 'email',
        email_verified: 'email_confirmed',
        given_name: 'first_name',
        family_name: 'last_name',
        mobile_number: 'phone',
        username: 'login',
      },
      customFields: { customer_no: 'customer_number' },
      ignoreColumns: ['last_login_at'],
    },
    password: { table: table('credentials'), userKey: 'user_id', hash: 'password_hash', algorithm: 'auto' },
    mfa: { table: table('totp_devices'), userKey: 'user_id', secret: 'secret_base32', encoding: 'base32', enabled: 'confirmed' },
    sub: { prefix: 'legacy-' },
    cidaas: {
      baseUrl: opts.emulatorUrl,
      clientId: opts.clientId,
      clientSecret: `\${file:${secretPath}}`,
      allowEmulator: true,
      batchSize: opts.batchSize ?? 50,
      concurrency: opts.concurrency ?? 4,
      onDelete: opts.onDelete ?? 'purge',
    },
    state: { url: stateUrl },
    http: { port: 0, host: '127.0.0.1' },
  };
  const merged = opts.extra === undefined ? config : deepMerge(config, opts.extra);
  const path = join(dir, 'cidaas-sync.yaml');
  await writeFile(path, stringify(merged));
  return {
    path,
    dir,
    statePath: stateUrl.startsWith('sqlite:') ? stateUrl.slice('sqlite:'.length) : '',
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `over` merged into a copy of `base`: nested objects merge, other values (arrays too) replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}
