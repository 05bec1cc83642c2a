/**
 * The cidaas emulator: docs/cidaas-api.md on a plain node:http server, for tests, benchmarks
 * and the demo. Where the contract leaves a choice open, the emulator takes the strict
 * one, so a client that works here does not lean on leniency:
 *
 * - bulk entities: unknown fields, `null` values and wrong JSON types fail the user (a
 *   name field is cleared by sending ""); a missing `sub` creates the user under a new
 *   UUID; `userStatus` defaults to VERIFIED; emails are unique per sub, ignoring case;
 *   `customFields`, `password_hash_info` and `mfa` are replaced whole; `mfa: {}` removes
 *   the TOTP setup (or `{"totp": null}`, or neither: tenant variant `totpRemoval`). The per-user rules are listed in user-rules.ts (USER_RULES), the
 *   whole-batch ones in bulk-handler.ts (BATCH_RULES).
 * - hashes: formats in password-hash-format.ts, login conventions (hData.salt is base64
 *   of the salt bytes; SHA = sha(password || salt)) in password-verifier.ts.
 * - search: what is supported is in user-search.ts; anything else is a 400.
 * - faults: see {@link FaultRule}; `--rate-limit` and `--latency-ms` apply to the cidaas
 *   API (the rate limit not to the token endpoint), never to /_emulator.
 * - /_emulator answers: users and seeds in the success envelope (listing adds `next`,
 *   the sub to pass as `after`, or null at the end); login and totp `{"ok", "reason"?}`;
 *   stats the {@link EmulatorStats} object; also GET/DELETE /_emulator/faults and
 *   GET /.well-known/jwks.json (the token signing key) and POST /token-srv/introspect.
 * - CUSTOM_<name> logins: delegated to `verifierUrl` (custom-password-delegate.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExitCode, SyncError } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { Scopes } from './api-routes.js';
import type { EmulatorStats } from './emulator-stats.js';
import type { ReplicaReport } from './replica-log.js';
import { EmulatorState } from './emulator-state.js';
export { SeedError } from './emulator-state.js';
export { FaultRuleError } from './fault-injector.js';
import type { FaultRule } from './fault-injector.js';
import { createRequestHandler, Timers } from './request-handler.js';
import type { StoredUser } from './stored-user.js';
import { TokenIssuer } from './token-issuer.js';
import type { SetupOptions, SetupStore } from './setup-routes.js';
export { SETUP_SCOPES } from './setup-routes.js';
export type { SetupOptions } from './setup-routes.js';
import { DEFAULT_TENANT_VARIANT, type TenantVariant } from './tenant-variant.js';
export { DEFAULT_TENANT_VARIANT, type TenantVariant } from './tenant-variant.js';

export type { EmulatorStats } from './emulator-stats.js';
export type { FaultRule } from './fault-injector.js';
export type { CustomFieldValue, MfaSetup, PasswordHashInfo, PublicUser, StoredUser, TotpSetup, UserStatus } from './stored-user.js';
export { USER_RULES } from './user-rules.js';
export type { UserRule } from './user-rules.js';
export { BATCH_RULES } from './bulk-handler.js';

/** How to start an emulator. Only the client credentials are required. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (default) = a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** The one OAuth client the token endpoint knows. */
  clientId: string;
  clientSecret: string;
  /** The client's scopes; default the four of docs/cidaas-api.md. */
  scopes?: string[];
  /** Most users per bulk call (more: 413); default 50. */
  maxBatch?: number;
  /** Bulk bodies above this many bytes are answered 413, as a tenant's gateway limit would; default none. */
  maxBodyBytes?: number;
  /** cidaas's per-client migrationMode: password_hash_info may replace a stored password; default true. */
  migrationMode?: boolean;
  /** Lifetime of issued tokens (`exp` - `iat`, `expires_in`); default 86400. */
  tokenTtlSeconds?: number;
  /** API requests/s above which it answers 429 with Retry-After (not the token endpoint, not /_emulator); default none. */
  rateLimit?: number;
  /** Delay added to every API answer (not /_emulator); default 0. */
  latencyMs?: number;
  /** The tenant's customFields keys; other keys fail the user. Default: any key. */
  customFields?: string[];
  /** The setup APIs: cidaas 3.x or 4.x (default 3), the 4.x apps path, and whether bulk drops customFields keys that are not set up. */
  setup?: Partial<SetupOptions>;
  /** The customer's password verification service: CUSTOM_<name> logins are delegated to it. Default: none. */
  verifierUrl?: string;
  /** How this tenant differs from the contract's defaults (bulk answer shape, salt, TOTP, search, purge, password grant). */
  tenant?: Partial<TenantVariant>;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  /** Direct read access for tests: the stored user with password_hash_info and mfa, or undefined. */
  getUser(sub: string): StoredUser | undefined;
  /** All stored users in sub order. */
  users(): StoredUser[];
  /** Number of stored users. */
  readonly userCount: number;
  /** Same content as GET /_emulator/stats. */
  stats(): EmulatorStats;
  /** Same content as GET /_emulator/replicas: which high-availability replica called when. */
  replicas(): ReplicaReport;
  /** The setup APIs' objects and the log of their writes, for tests. */
  readonly setup: SetupStore;
  /** Same as POST /_emulator/faults; throws on a bad rule (none queued). */
  addFaults(rules: FaultRule[]): void;
  /** Same as POST /_emulator/reset. */
  reset(): void;
  /** Same as POST /_emulator/users; throws when an entry is invalid (nothing stored). */
  seed(users: unknown[]): void;
  /** A token as the token endpoint would issue, for tests (a negative ttl makes an expired one). */
  issueToken(scopes?: string[], ttlSeconds?: number): string;
  /** Closes the server and all sockets (also keep-alive ones). */
  close(): Promise<void>;
}

/** The scopes a client gets unless told otherwise. */
export const DEFAULT_SCOPES: readonly string[] = [Scopes.bulkUserCreate, Scopes.usersDelete, Scopes.usersRead, Scopes.usersSearch];

function usage(message: string): SyncError {
  return new SyncError('USAGE', message, { exitCode: ExitCode.config });
}

function checkOptions(o: EmulatorOptions): void {
  const positiveInt = (v: number | undefined): boolean => v === undefined || (Number.isInteger(v) && v > 0);
  if (!o.clientId) throw usage('the emulator needs a client id');
  if (!o.clientSecret) throw usage('the emulator needs a client secret');
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) throw usage('port must be 0..65535');
  if (!positiveInt(o.maxBatch)) throw usage('maxBatch must be a positive integer');
  if (o.maxBodyBytes !== undefined && !positiveInt(o.maxBodyBytes)) throw usage('maxBodyBytes must be a positive integer');
  if (!positiveInt(o.tokenTtlSeconds)) throw usage('tokenTtlSeconds must be a positive integer');
  if (o.rateLimit !== undefined && !(o.rateLimit > 0)) throw usage('rateLimit must be > 0 requests/s');
  if (o.latencyMs !== undefined && !(Number.isInteger(o.latencyMs) && o.latencyMs >= 0)) throw usage('latencyMs must be an integer >= 0');
  if (o.verifierUrl !== undefined && !/^https?:\/\/[^/]/.test(o.verifierUrl)) throw usage('verifierUrl must be an http(s) URL');
}

/** Starts a cidaas emulator (docs/cidaas-api.md) on a plain node:http server with keep-alive. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  checkOptions(options);
  const tokens = await TokenIssuer.create(options.clientId);
  const state = new EmulatorState(
    {
      clientId: options.clientId,
      clientSecret: new Secret(options.clientSecret),
      scopes: [...(options.scopes ?? DEFAULT_SCOPES)],
      maxBatch: options.maxBatch ?? 50,
      maxBodyBytes: options.maxBodyBytes,
      migrationMode: options.migrationMode ?? true,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400,
      rateLimit: options.rateLimit,
      latencyMs: options.latencyMs ?? 0,
      customFieldKeys: options.customFields ? new Set(options.customFields) : undefined,
      setup: { generation: options.setup?.generation ?? 3, appsPath4: options.setup?.appsPath4 ?? '/apps-srv/apps', strictFields: options.setup?.strictFields ?? false },
      verifierUrl: options.verifierUrl,
      variant: { ...DEFAULT_TENANT_VARIANT, ...options.tenant },
    },
    tokens,
  );
  const timers = new Timers();
  const server = createServer({ keepAlive: true, noDelay: true }, createRequestHandler(state, timers));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new SyncError('USAGE', `port ${options.port} is already in use`, { hint: 'choose another --port, or --port 0 for a free one', exitCode: ExitCode.config, cause: err }) : err),
    );
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  tokens.setIssuer(url);

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    getUser: (sub) => state.store.get(sub),
    users: () => state.store.page(undefined, Number.MAX_SAFE_INTEGER),
    get userCount() {
      return state.store.size;
    },
    stats: () => state.snapshot(),
    replicas: () => state.replicas.report(),
    setup: state.setup,
    addFaults: (rules) => state.faults.add(rules),
    reset: () => state.reset(),
    seed: (users) => void state.seed(users),
    issueToken: (scopes, ttlSeconds) => tokens.issue(scopes ?? state.config.scopes, ttlSeconds ?? state.config.tokenTtlSeconds),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}
