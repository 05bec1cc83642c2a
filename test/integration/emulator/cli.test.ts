import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

function runCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'emulator', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

/** Resolves with the first stdout line, or rejects when the process ends first. */
async function firstLine(cli: RunningCli): Promise<string> {
  const { child } = cli;
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const text = cli.stdout();
      if (text.includes('\n')) {
        cleanup();
        resolve(text.slice(0, text.indexOf('\n')));
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`emulator exited with ${code} before printing its URL: ${cli.stderr()}`));
    };
    const cleanup = (): void => {
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
}

async function stop(cli: RunningCli, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (cli.child.exitCode !== null) return cli.child.exitCode;
  const exited = once(cli.child, 'exit');
  cli.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

async function tokenStatus(url: string, clientId: string, clientSecret: string): Promise<number> {
  const res = await fetch(`${url}/token-srv/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('cidaas-sync emulator (the command)', () => {
  const started: RunningCli[] = [];
  afterEach(async () => {
    for (const cli of started.splice(0)) await stop(cli, 'SIGKILL');
  });
  const run = (args: string[], env?: Record<string, string>): RunningCli => {
    const cli = runCli(args, env);
    started.push(cli);
    return cli;
  };

  it('prints its base URL as the first stdout line and serves the given client until SIGTERM', async () => {
    const cli = run(['--port', '0', '--client-id', 'cli-client', '--client-secret', 'cli-secret-value', '--max-batch', '10']);
    const url = await firstLine(cli);
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await tokenStatus(url, 'cli-client', 'cli-secret-value')).to.equal(200);
    expect(await tokenStatus(url, 'cli-client', 'wrong')).to.equal(401);
    expect(await stop(cli)).to.equal(0);
    expect(cli.stdout().trim().split('\n')).to.have.length(1);
    expect(cli.stderr()).to.include('client id: cli-client').and.not.include('cli-secret-value');
  });

  it('takes the client secret from CIDAAS_EMULATOR_CLIENT_SECRET and never prints it', async () => {
    const cli = run(['--port', '0'], { CIDAAS_EMULATOR_CLIENT_SECRET: 'secret-from-env' });
    const url = await firstLine(cli);
    expect(await tokenStatus(url, 'cidaas-sync-dev', 'secret-from-env')).to.equal(200);
    expect(await stop(cli, 'SIGINT')).to.equal(0);
    expect(cli.stderr()).to.include('CIDAAS_EMULATOR_CLIENT_SECRET').and.not.include('secret-from-env');
  });

  it('exits 2 for a bad option value', async () => {
    const cli = run(['--port', 'eighty']);
    const [code] = (await once(cli.child, 'exit')) as [number | null];
    expect(code).to.equal(2);
    expect(cli.stdout()).to.equal('');
  });
});
