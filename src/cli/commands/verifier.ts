import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { untilSignal } from '../until-signal.js';
import { cidaasBaseUrl } from '../../../config/config-fields.js';
import { ExitCode, SyncError } from '../../errors.js';
import { defaultVerifierConfig, loadVerifierConfig } from '../../verifier/load-verifier-config.js';
import { startVerifier } from '../../verifier/verifier-server.js';

interface VerifierCommandOptions {
  port: number;
  host: string;
  tenant: string;
  config?: string;
  tlsCert?: string;
  tlsKey?: string;
  allowPlainHttp: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port 0..65535');
  return n;
}

function tenantUrl(value: string): string {
  const parsed = cidaasBaseUrl.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'not a tenant URL');
  return parsed.data;
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new SyncError('USAGE', `cannot read the TLS ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      exitCode: ExitCode.config,
      hint: `pass --tls-${what} with a PEM file the process can read`,
      cause: err,
    });
  }
}

/**
 * `cidaas-sync verifier`: the password verification service cidaas calls for
 * CUSTOM_<name> hashes. The first stdout line is its URL (the one to configure in
 * cidaas); refusals go to stderr without passwords, hashes or tokens. SIGTERM lets
 * running checks finish and exits 0.
 */
export function verifierCommand(): Command {
  return new Command('verifier')
    .description('Run the password verification service cidaas calls for CUSTOM_<name> hashes (see README "Passwords").')
    .exitOverride()
    .addOption(new Option('--tenant <url>', 'the cidaas tenant base URL: only its tokens are accepted').env('CIDAAS_VERIFIER_TENANT').makeOptionMandatory().argParser(tenantUrl))
    .addOption(new Option('--port <port>', 'port to listen on (0 = a free one)').default(8443).argParser(port))
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .addOption(new Option('-c, --config <file>', 'YAML file with a `verifier:` section (limits, Firebase scrypt parameters)'))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate: serve HTTPS').env('CIDAAS_VERIFIER_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'PEM private key of --tls-cert').env('CIDAAS_VERIFIER_TLS_KEY'))
    .addOption(new Option('--allow-plain-http', 'serve plain HTTP on a non-loopback interface (only behind a TLS-terminating proxy)').default(false))
    .action(async (opts: VerifierCommandOptions) => {
      const stopped = untilSignal();
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        throw new SyncError('USAGE', 'give both --tls-cert and --tls-key, or neither', { exitCode: ExitCode.config });
      }
      const config = opts.config === undefined ? defaultVerifierConfig() : await loadVerifierConfig(opts.config);
      const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { cert: await readPem(opts.tlsCert, 'cert'), key: await readPem(opts.tlsKey, 'key') } : undefined;
      const verifier = await startVerifier({
        tenant: opts.tenant,
        port: opts.port,
        host: opts.host,
        ...(tls ? { tls } : {}),
        allowPlainHttp: opts.allowPlainHttp,
        config,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${verifier.url}\n`);
      process.stderr.write(
        `password verifier listening on ${verifier.url} (${tls ? 'TLS' : 'plain HTTP'})\n  tokens from: ${opts.tenant}\n` +
          `  at most ${config.maxConcurrent} checks at once, ${config.maxQueue} waiting; Firebase scrypt: ${config.firebaseScrypt ? 'configured' : 'not configured'}\n`,
      );
      const signal = await stopped;
      process.stderr.write(`${signal}: finishing running checks and closing the verifier\n`);
      await verifier.close();
    });
}
