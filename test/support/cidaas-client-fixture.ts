import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { CidaasClient, type CidaasClientOptions } from '../../src/cidaas/cidaas-client.js';
import type { CidaasUser } from '../../src/cidaas/cidaas-user.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../tools/emulator/cidaas-emulator.js';
import { SyncError } from '../../src/errors.js';
import { createLogger, MemoryLogger, type LogFields, type Logger } from '../../src/observability/logger.js';
import { Secret } from '../../src/secret.js';
import { base32Encode } from '../../src/mfa/base32.js';

/** What a cidaas client scenario gets: a fresh emulator, clients on it, and a record of every secret it used. */
export interface ClientHarness {
  readonly emu: RunningEmulator;
  readonly clientId: string;
  /** Every line the clients logged. */
  readonly logger: MemoryLogger;
  /** Every plaintext secret the scenario used: client secrets, password hashes, TOTP secrets, tokens. */
  readonly secrets: Set<string>;
  /** Thrown errors and returned values, rendered in full, for the redaction check. */
  readonly evidence: string[];
  /** A client on the emulator with the scenario's credentials, small backoff delays, and `overrides`. Closed with the harness. */
  client(overrides?: Partial<CidaasClientOptions>): CidaasClient;
  /** `count` users with email, a bcrypt password hash and a TOTP secret; subs `<prefix>-0`, `<prefix>-1`, ... */
  users(count: number, prefix?: string): CidaasUser[];
  /** Awaits `promise`, expects it to reject with a SyncError, records it and returns it. */
  expectSyncError(promise: Promise<unknown>): Promise<SyncError>;
  /** Records a returned value (outcomes, records) for the redaction check, and returns it. */
  keep<T>(value: T): T;
}

/** One named behaviour of the cidaas client, run against its own emulator. */
export interface ClientScenario {
  /** Emulator options beyond the credentials. */
  readonly emulator?: Partial<Omit<EmulatorOptions, 'clientId' | 'clientSecret'>>;
  run(h: ClientHarness): Promise<void>;
}

/** Tests wait milliseconds, not seconds, between retries. */
export const TEST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 } as const;

/** Logs to several loggers at once. */
class TeeLogger implements Logger {
  constructor(private readonly targets: Logger[]) {}
  error(m: string, f?: LogFields): void { for (const t of this.targets) t.error(m, f); }
  warn(m: string, f?: LogFields): void { for (const t of this.targets) t.warn(m, f); }
  info(m: string, f?: LogFields): void { for (const t of this.targets) t.info(m, f); }
  debug(m: string, f?: LogFields): void { for (const t of this.targets) t.debug(m, f); }
  child(f: LogFields): Logger { return new TeeLogger(this.targets.map((t) => t.child(f))); }
}

/** Everything an error shows anywhere: message, hint, stack, util.inspect with its cause chain. */
export function renderError(err: unknown): string {
  const parts = [inspect(err, { depth: 6 })];
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    parts.push(e.message, e.stack ?? '');
    if (e instanceof SyncError) parts.push(e.hint ?? '', e.describe());
  }
  return parts.join('\n');
}

/**
 * Runs a scenario against a fresh emulator and closes everything after. With
 * `logToStdout`, the clients also log (at debug) through the real winston logger to
 * process.stdout, for the redaction test to capture.
 */
export async function runScenario(scenario: ClientScenario, options: { logToStdout?: boolean } = {}): Promise<ClientHarness> {
  const clientId = `client-${randomUUID().slice(0, 8)}`;
  const clientSecret = `cs-${randomBytes(24).toString('base64url')}`;
  const emu = await startEmulator({ clientId, clientSecret, ...scenario.emulator });
  const memory = new MemoryLogger();
  const logger: Logger = options.logToStdout ? new TeeLogger([memory, createLogger({ level: 'debug', format: 'json' })]) : memory;
  const clients: CidaasClient[] = [];
  const secrets = new Set<string>([clientSecret]);
  const evidence: string[] = [];
  const h: ClientHarness = {
    emu, clientId, logger: memory, secrets, evidence,
    client(overrides = {}) {
      if (overrides.clientSecret) secrets.add(overrides.clientSecret.reveal());
      const c = new CidaasClient({
        baseUrl: emu.url, clientId, clientSecret: new Secret(clientSecret), logger, connections: 4, retry: TEST_RETRY, allowEmulator: true, ...overrides,
      });
      clients.push(c);
      return c;
    },
    users(count, prefix = 'u') {
      return Array.from({ length: count }, (_, i) => {
        const hash = bcrypt.hashSync(`pw-${prefix}-${i}`, 4);
        const totp = base32Encode(randomBytes(20));
        secrets.add(hash).add(totp);
        return {
          sub: `${prefix}-${i}`,
          email: `${prefix}-${i}@example.com`,
          email_verified: true,
          given_name: `Given${i}`,
          provider: 'self',
          password_hash_info: { algorithmTypeId: 'BCRYPT_4', passwordHash: new Secret(hash) },
          mfa_enabled: true,
          mfa: { totp: { secret: new Secret(totp) } },
        } satisfies CidaasUser;
      });
    },
    async expectSyncError(promise) {
      const err = await promise.then(
        (value) => expect.fail(`expected a SyncError, got ${inspect(value)}`),
        (e: unknown) => e,
      );
      evidence.push(renderError(err));
      expect(err).to.be.instanceOf(SyncError);
      return err as SyncError;
    },
    keep(value) {
      evidence.push(inspect(value, { depth: 6 }), JSON.stringify(value) ?? '');
      return value;
    },
  };
  try {
    await scenario.run(h);
  } catch (err) {
    evidence.push(renderError(err));
    throw err;
  } finally {
    secrets.add(emu.issueToken());
    await Promise.all(clients.map((c) => c.close()));
    await emu.close();
  }
  return h;
}
