import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { freePort } from '../../support/free-port.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// openwall/phpass test.php: the hash of "test12345" (a WordPress-style $P$ hash).
const PHPASS_HASH = '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0';
const PHPASS_PASSWORD = 'test12345';
// A Magento 2.4 argon2id13 hash (64 MiB, a Magento customer fixture): a check takes a second or more.
const SLOW_HASH = 'abf1de8d537a1270237b9b56c8db9c67aeece6d89639a64d5ffd7264262541ab:PNK7gwTSnTc9L8AXZEvgZQ4SA66qirus:3_32_2_67108864';
const SLOW_PASSWORD = 'Password@2022';

interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
}

function runVerifier(args: string[]): Cli {
  const child = spawn(process.execPath, ['bin/cidaas-sync.js', 'verifier', ...args], { cwd: ROOT, env: process.env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

function firstLine(cli: Cli): Promise<string> {
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
      reject(new Error(`verifier exited with ${code} before printing its URL: ${cli.stderr()}`));
    };
    const cleanup = (): void => {
      cli.child.stdout.off('data', onData);
      cli.child.off('exit', onExit);
    };
    cli.child.stdout.on('data', onData);
    cli.child.on('exit', onExit);
    onData();
  });
}

describe('cidaas-sync verifier (the command) with the emulator as cidaas (#11)', function () {
  this.timeout(120_000);
  let dir: string;
  let cli: Cli;
  let verifierUrl: string;
  let emu: RunningEmulator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cidaas-verifier-'));
    const config = join(dir, 'verifier.yaml');
    await writeFile(config, 'verifier:\n  maxConcurrent: 1\n  maxQueue: 2\n');
    const emulatorPort = await freePort();
    cli = runVerifier(['--tenant', `http://127.0.0.1:${emulatorPort}`, '--port', '0', '--config', config]);
    verifierUrl = await firstLine(cli);
    emu = await startEmulator({ port: emulatorPort, clientId: 'c', clientSecret: 's', verifierUrl });
  });
  after(async () => {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const login = async (password: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${emu.url}/_emulator/login`, { method: 'POST', body: JSON.stringify({ sub: 'wp-1', password }) });
    return (await res.json()) as Record<string, unknown>;
  };

  it('prints its URL as the first stdout line', () => {
    expect(verifierUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('answers a flood of slow hashes with a bounded queue and 503 + Retry-After for the rest, and keeps serving', async () => {
    const token = emu.issueToken();
    const post = async (): Promise<{ status: number; retryAfter: string | null; body: string }> => {
      const res = await fetch(`${verifierUrl}?action=compare`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ passwordVerification: { passwordHash: SLOW_HASH }, password: SLOW_PASSWORD, algorithm: 'CUSTOM_MAGENTO2' }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
    };
    const flood = Promise.all(Array.from({ length: 24 }, post));
    // The hashes run on worker threads: the service answers probes while they run.
    const health = (await (await fetch(`${verifierUrl}healthz`)).json()) as { ok: boolean; running: number; waiting: number };
    expect(health.ok).to.equal(true);
    expect(health.running).to.be.at.most(1);
    expect(health.waiting).to.be.at.most(2);
    const answers = await flood;
    const ok = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 503);
    expect(ok.length + busy.length, JSON.stringify(answers.map((a) => a.status))).to.equal(24);
    expect(busy.length).to.be.greaterThan(0);
    expect(ok.length).to.be.at.least(3); // one running + two waiting
    expect(busy[0]!.retryAfter).to.equal('1');
    for (const a of ok) expect(JSON.parse(a.body)).to.deep.equal({ data: { verified: true } });
    expect((await post()).status).to.equal(200);
  });

  it('lets a WordPress (phpass) user log in through the emulator, which then re-hashes the password', async () => {
    emu.seed([{ sub: 'wp-1', email: 'wp1@example.com', password_hash_info: { algorithmTypeId: 'CUSTOM_PHPASS', passwordHash: PHPASS_HASH } }]);
    expect(await login('test12346')).to.deep.equal({ ok: false, reason: 'wrong password' });
    expect(emu.getUser('wp-1')?.password_hash_info?.algorithmTypeId).to.equal('CUSTOM_PHPASS');
    expect(await login(PHPASS_PASSWORD)).to.deep.equal({ ok: true });
    expect(emu.getUser('wp-1')?.password_hash_info?.algorithmTypeId).to.equal('PBKDF2_SHA256');
  });

  it('stops cleanly on SIGTERM; the re-hashed user still logs in without it', async () => {
    const exited = once(cli.child, 'exit');
    cli.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).to.equal(0);
    expect(await login(PHPASS_PASSWORD)).to.deep.equal({ ok: true });
    expect((await login('test12346'))['ok']).to.equal(false);
  });

  it('wrote no password, hash or token to its output', () => {
    const output = cli.stdout() + cli.stderr();
    expect(output).to.include('503');
    for (const secret of [PHPASS_HASH, PHPASS_PASSWORD, SLOW_HASH, SLOW_PASSWORD, 'eyJ']) expect(output).not.to.include(secret);
  });
});

describe('cidaas-sync verifier (the command): usage (#11)', function () {
  this.timeout(60_000);

  it('exits 2 without --tenant, and for a plain-HTTP tenant that is not local', async () => {
    for (const args of [['--port', '0'], ['--port', '0', '--tenant', 'http://tenant.example.com']]) {
      const cli = runVerifier(args);
      const [code] = (await once(cli.child, 'exit')) as [number | null];
      expect(code, cli.stderr()).to.equal(2);
      expect(cli.stderr()).to.include('--tenant');
    }
  });
});
