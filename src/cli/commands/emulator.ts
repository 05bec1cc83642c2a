import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { untilSignal } from '../until-signal.js';
import { DEFAULT_SCOPES, startEmulator, type TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import { ExitCode, SyncError } from '../../errors.js';

/** The client id and secret `cidaas-sync emulator` uses when none is given: fake dev values. */
export const DEV_CLIENT_ID = 'cidaas-sync-dev';
const SECRET_ENV = 'CIDAAS_EMULATOR_CLIENT_SECRET';
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function list(value: string): string[] {
  return value.split(/[\s,]+/).filter((s) => s !== '');
}

interface EmulatorCommandOptions {
  port: number;
  host: string;
  clientId: string;
  clientSecret?: string;
  unsafePublic?: boolean;
  scopes?: string[];
  maxBatch: number;
  maxBodyBytes?: number;
  migrationMode: boolean;
  tokenTtl: number;
  rateLimit?: number;
  latencyMs: number;
  customFields?: string[];
  apiGeneration: '3' | '4';
  appsPath: string;
  strictFields?: boolean;
  verifierUrl?: string;
  bulkEnvelope: TenantVariant['bulkEnvelope'];
  bulkStateField: TenantVariant['bulkStateField'];
  bulkOrder: TenantVariant['bulkOrder'];
  saltEncoding: TenantVariant['saltEncoding'];
  totpImport: TenantVariant['totpImport'];
  totpRemoval: TenantVariant['totpRemoval'];
  groupUpdate: TenantVariant['groupUpdate'];
  identityUpdate: TenantVariant['identityUpdate'];
  unknownGroup: TenantVariant['unknownGroup'];
  unknownProvider: TenantVariant['unknownProvider'];
  search: boolean;
  purge: boolean;
  passwordGrantClient?: { id: string; secret: string };
}

function idAndSecret(value: string): { id: string; secret: string } {
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) throw new InvalidArgumentError('expected ID:SECRET');
  return { id: value.slice(0, at), secret: value.slice(at + 1) };
}

/**
 * `cidaas-sync emulator`: runs the cidaas emulator until SIGINT/SIGTERM. The first line
 * on stdout is its base URL; the rest (client id, where the secret came from) goes to
 * stderr. The secret itself is never printed.
 */
export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('Run the cidaas emulator (docs/cidaas-api.md) for tests, benchmarks and the demo.')
    // addCommand() does not pass the program's exitOverride on: without it a bad option exits 1, not 2.
    .exitOverride()
    .addOption(new Option('--port <port>', 'port to listen on (0 = a free one)').default(8080).argParser(integer(0, 65535)))
    .addOption(new Option('--host <host>', 'interface to listen on (another than loopback needs --unsafe-public)').default('127.0.0.1'))
    .addOption(new Option('--unsafe-public', 'allow a --host other than loopback: anyone who reaches it can read every stored hash and TOTP secret'))
    .addOption(new Option('--client-id <id>', 'the OAuth client id').default(DEV_CLIENT_ID))
    .addOption(new Option('--client-secret <secret>', `the client secret (default: $${SECRET_ENV}, else one generated and printed for this run)`))
    .addOption(new Option('--scopes <scopes>', `the client's scopes, space- or comma-separated (default: ${DEFAULT_SCOPES.join(' ')})`).argParser(list))
    .addOption(new Option('--max-batch <n>', 'most users per bulk call').default(50).argParser(integer(1)))
    .addOption(new Option('--max-body-bytes <n>', 'answer 413 to bulk bodies above n bytes, as a tenant gateway would').argParser(integer(1)))
    .addOption(new Option('--no-migration-mode', 'refuse password_hash_info for users that have a password'))
    .addOption(new Option('--token-ttl <seconds>', 'access token lifetime').default(86_400).argParser(integer(1)))
    .addOption(new Option('--rate-limit <r>', 'answer 429 with Retry-After above r API requests/s').argParser(positiveNumber))
    .addOption(new Option('--latency-ms <ms>', 'add this delay to every API answer').default(0).argParser(integer(0)))
    .addOption(new Option('--custom-fields <keys>', "the tenant's customFields keys (default: any)").argParser(list))
    .addOption(new Option('--api-generation <n>', 'the setup APIs of cidaas 3.x or 4.x (4: GET /public-srv/version answers 404, apps and providers move)').choices(['3', '4']).default('3'))
    .addOption(new Option('--apps-path <path>', 'the 4.x apps path').choices(['/apps-srv/apps', '/app-srv/apps']).default('/apps-srv/apps'))
    .addOption(new Option('--strict-fields', 'drop bulk customFields keys that are not in the field setup, as cidaas does'))
    .addOption(new Option('--verifier-url <url>', 'delegate CUSTOM_<name> logins to this password verification service (cidaas-sync verifier)'))
    // How a real tenant may differ where cidaas's docs are silent (see docs/cidaas-api.md).
    .addOption(new Option('--bulk-envelope <form>', 'bulk answer: process_states inside data, or bare at the top').choices(['data', 'bare']).default('data'))
    .addOption(new Option('--bulk-state-field <name>', 'the per-user state field of a bulk answer').choices(['status', 'state', 'process_state']).default('status'))
    .addOption(new Option('--bulk-order <order>', 'process_states in input order or shuffled').choices(['input', 'shuffled']).default('input'))
    .addOption(new Option('--salt-encoding <enc>', 'read hData.salt as base64 of the salt bytes, or as text').choices(['base64', 'text']).default('base64'))
    .addOption(new Option('--totp-import <mode>', 'a bulk user with mfa: store the TOTP seed, ignore it, or refuse the user').choices(['accept', 'ignore', 'refuse']).default('accept'))
    .addOption(new Option('--totp-removal <shape>', 'removing a stored TOTP seed: honour mfa: {} (empty), mfa: {"totp": null} (null), or neither (ignore: the seed stays)').choices(['empty', 'null', 'ignore']).default('empty'))
    .addOption(new Option('--group-update <mode>', "a bulk user's groups replace its memberships, are added to them, or replace them unless the list is empty").choices(['replace', 'add', 'ignore-empty']).default('replace'))
    .addOption(new Option('--identity-update <mode>', "a bulk user's identities replace its social links, or are added to them").choices(['replace', 'add']).default('replace'))
    .addOption(new Option('--unknown-group <mode>', 'a bulk user naming a group the tenant lacks: fail the user, or drop that membership').choices(['fail', 'drop']).default('fail'))
    .addOption(new Option('--unknown-provider <mode>', 'a bulk user with an identity at a provider the tenant lacks or has disabled: fail the user, or drop that identity').choices(['fail', 'drop']).default('fail'))
    .addOption(new Option('--no-search', 'serve neither POST /user-srv/graph/users nor bulkread (404)'))
    .addOption(new Option('--no-purge', 'serve no DELETE /users-srv/user/purge/{sub} (404); scheduled deletion still works'))
    .addOption(new Option('--password-grant-client <id:secret>', 'an app allowed the password grant (for canary logins)').argParser(idAndSecret))
    .action(async (opts: EmulatorCommandOptions) => {
      // Listen for the signal before the URL is printed: whoever reads the URL may stop us at once.
      if (!LOOPBACK.test(opts.host) && opts.unsafePublic !== true) {
        throw new SyncError('USAGE', `--host ${opts.host} is not loopback: the emulator serves every stored password hash and TOTP secret without authentication`, {
          hint: 'keep the default 127.0.0.1, or add --unsafe-public if every host that can reach it may read those', exitCode: ExitCode.config,
        });
      }
      const stopped = untilSignal();
      const envSecret = process.env[SECRET_ENV];
      const generated = randomBytes(18).toString('base64url');
      const [clientSecret, secretSource] =
        opts.clientSecret !== undefined
          ? [opts.clientSecret, '--client-secret']
          : envSecret
            ? [envSecret, `$${SECRET_ENV}`]
            : [generated, `generated for this run: ${generated}`];
      const emulator = await startEmulator({
        port: opts.port,
        host: opts.host,
        clientId: opts.clientId,
        clientSecret,
        ...(opts.scopes ? { scopes: opts.scopes } : {}),
        maxBatch: opts.maxBatch,
        ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
        migrationMode: opts.migrationMode,
        tokenTtlSeconds: opts.tokenTtl,
        ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
        latencyMs: opts.latencyMs,
        ...(opts.customFields ? { customFields: opts.customFields } : {}),
        setup: { generation: opts.apiGeneration === '4' ? 4 : 3, appsPath4: opts.appsPath, strictFields: opts.strictFields === true },
        ...(opts.verifierUrl !== undefined ? { verifierUrl: opts.verifierUrl } : {}),
        tenant: {
          bulkEnvelope: opts.bulkEnvelope, bulkStateField: opts.bulkStateField, bulkOrder: opts.bulkOrder, saltEncoding: opts.saltEncoding,
          totpImport: opts.totpImport, totpRemoval: opts.totpRemoval, groupUpdate: opts.groupUpdate, identityUpdate: opts.identityUpdate, unknownGroup: opts.unknownGroup, unknownProvider: opts.unknownProvider, search: opts.search, purge: opts.purge, passwordGrantClient: opts.passwordGrantClient,
        },
      });
      process.stdout.write(`${emulator.url}\n`);
      process.stderr.write(
        `cidaas emulator listening on ${emulator.url}\n  client id: ${opts.clientId}\n  client secret: from ${secretSource}\n` +
          `  migrationMode: ${opts.migrationMode ? 'on' : 'off'}, max batch ${opts.maxBatch}, token ttl ${opts.tokenTtl}s` +
          `${opts.rateLimit !== undefined ? `, rate limit ${opts.rateLimit}/s` : ''}${opts.latencyMs ? `, latency ${opts.latencyMs} ms` : ''}` +
          `${opts.verifierUrl !== undefined ? `, CUSTOM_ logins via ${opts.verifierUrl}` : ''}\n` +
          '  Ctrl-C to stop\n',
      );
      const signal = await stopped;
      process.stderr.write(`${signal}: closing the emulator\n`);
      await emulator.close();
    });
}
