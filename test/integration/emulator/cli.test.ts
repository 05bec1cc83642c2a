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

  it('plays a tenant that differs: bare bulk answers in process_state, no purge, a password-grant app (#12)', async () => {
    const cli = run(['--port', '0', '--client-id', 'cli-client', '--client-secret', 'cli-secret-value', '--bulk-envelope', 'bare',
      '--bulk-state-field', 'process_state', '--no-purge', '--no-search', '--password-grant-client', 'login-app:login-secret']);
    const url = await firstLine(cli);
    const form = (o: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o) });
    const { access_token: token } = await (await fetch(`${url}/token-srv/token`, form({ grant_type: 'client_credentials', client_id: 'cli-client', client_secret: 'cli-secret-value' }))).json() as { access_token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // A well-formed bcrypt hash (cost 4) that no password matches: the login below must be refused.
    const hash = '$2a$04$' + 'a'.repeat(53);
    const bulk = await fetch(`${url}/users-srv/user/bulk`, { method: 'POST', headers: auth, body: JSON.stringify([{ sub: 'u-1', email: 'u1@example.com', password_hash_info: { algorithmTypeId: 'BCRYPT_4', passwordHash: hash } }]) });
    expect(await bulk.json()).to.deep.equal({ process_states: [{ sub: 'u-1', identifier: { email: 'u1@example.com' }, process_state: 'CREATED' }] });
    const purge = await fetch(`${url}/users-srv/user/purge/u-1`, { method: 'DELETE', headers: auth });
    expect(purge.status).to.equal(404);
    expect(purge.headers.get('x-ref-number')).to.match(/^\d+-[0-9a-f-]{36}$/);
    expect((await fetch(`${url}/user-srv/graph/users`, { method: 'POST', headers: auth, body: '{}' })).status).to.equal(404);
    const refused = await fetch(`${url}/token-srv/token`, form({ grant_type: 'password', client_id: 'login-app', client_secret: 'login-secret', username: 'u1@example.com', password: 'wrong' }));
    expect(refused.status).to.equal(400);
    expect(await refused.json()).to.include({ error: 'invalid_grant' });
    const otherApp = await fetch(`${url}/token-srv/token`, form({ grant_type: 'password', client_id: 'cli-client', client_secret: 'cli-secret-value', username: 'u1@example.com', password: 'wrong' }));
    expect(await otherApp.json()).to.include({ error: 'unsupported_grant_type' });
    expect(await stop(cli)).to.equal(0);
  });

  it('plays a tenant whose upsert only adds identities and ignores an empty groups list (--identity-update add, --group-update ignore-empty) (#16)', async () => {
    const cli = run(['--port', '0', '--client-id', 'cli-client', '--client-secret', 'cli-secret-value', '--identity-update', 'add', '--group-update', 'ignore-empty',
      '--scopes', 'cidaas:bulk_user_create,cidaas:users_read,cidaas:group_type_write,cidaas:groups_write,cidaas:providers_write']);
    const url = await firstLine(cli);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cli-client', client_secret: 'cli-secret-value' });
    const { access_token: token } = await (await fetch(`${url}/token-srv/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json() as { access_token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown): Promise<number> => (await fetch(`${url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) })).status;
    expect(await post('/groups-srv/grouptypes', { groupType: 'shop', roleMode: 'no_roles' })).to.equal(201);
    expect(await post('/groups-srv/usergroups', { groupId: 'staff', groupName: 'staff', groupType: 'shop' })).to.equal(201);
    expect(await post('/providers-srv/multi/providers', { provider_name: 'google', name: 'google', client_id: 'g', client_secret: 'g-secret' })).to.equal(201);
    const push = (extra: Record<string, unknown>): Promise<number> => post('/users-srv/user/bulk', [{ sub: 'u-1', email: 'u1@example.com', ...extra }]);
    expect(await push({ groups: ['staff'], identities: [{ provider: 'google', providerUserId: '1' }] })).to.equal(200);
    expect(await push({ groups: [], identities: [{ provider: 'google', providerUserId: '2' }] })).to.equal(200);
    const back = (await (await fetch(`${url}/user-srv/users/u-1`, { headers: auth })).json()) as { data: { groups: { groupId: string }[]; identities: unknown[] } };
    expect(back.data.groups.map((g) => g.groupId)).to.deep.equal(['staff']);
    expect(back.data.identities).to.deep.equal([{ provider: 'google', providerUserId: '1' }, { provider: 'google', providerUserId: '2' }]);
    expect(await stop(cli)).to.equal(0);
  });

  it('exits 2 for a bad option value', async () => {
    const cli = run(['--port', 'eighty']);
    const [code] = (await once(cli.child, 'exit')) as [number | null];
    expect(code).to.equal(2);
    expect(cli.stdout()).to.equal('');
  });
});
