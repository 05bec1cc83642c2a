import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import type { RunningEmulator } from '../../../src/emulator/cidaas-emulator.js';
import { totpCode } from '../../../src/totp.js';
import { uniqueName } from '../../support/servers.js';

export const CLIENT_ID = 'platform-suite';
export const CLIENT_SECRET = 'platform-suite-secret-2026';

/** A real platform's configuration written to a temp dir, with the emulator as tenant and a sqlite state store. */
export interface PlatformConfig {
  readonly path: string;
  readonly dir: string;
  remove(): Promise<void>;
}

let serverIds = 0;

/** Writes `body` (users/password/mfa/attributes/mapping) with the source, tenant and state around it. */
export async function writePlatformConfig(o: {
  kind: 'postgres' | 'mysql'; url: string; publication?: string; emulatorUrl: string; body: Record<string, unknown>; files?: Record<string, string>;
}): Promise<PlatformConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'cidaas-sync-platform-'));
  const secretPath = join(dir, 'client-secret');
  await writeFile(secretPath, `${CLIENT_SECRET}\n`, { mode: 0o600 });
  for (const [name, text] of Object.entries(o.files ?? {})) await writeFile(join(dir, name), text);
  serverIds += 1;
  const config = {
    source: o.kind === 'postgres'
      ? { kind: 'postgres', url: o.url, slot: uniqueName('slot'), publication: o.publication }
      : { kind: 'mysql', url: o.url, serverId: 300_000 + ((process.pid % 20_000) * 100 + serverIds) },
    ...o.body,
    cidaas: { baseUrl: o.emulatorUrl, allowEmulator: true, clientId: CLIENT_ID, clientSecret: `\${file:${secretPath}}`, batchSize: 50, concurrency: 2 },
    state: { url: `sqlite:${join(dir, 'state.db')}` },
    http: { port: 0, host: '127.0.0.1' },
  };
  const path = join(dir, 'cidaas-sync.yaml');
  await writeFile(path, stringify(config));
  return { path, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function post(emu: RunningEmulator, path: string, body: unknown): Promise<{ ok: boolean; reason?: string }> {
  const r = await request(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.body.json()) as { ok: boolean; reason?: string };
}

/** The emulator's login check (`/_emulator/login`): true when cidaas would accept the password. */
export async function loginOk(emu: RunningEmulator, sub: string, password: string): Promise<boolean> {
  return (await post(emu, '/_emulator/login', { sub, password })).ok;
}

/** The emulator's TOTP check with the code of now. */
export async function totpOk(emu: RunningEmulator, sub: string, base32Secret: string): Promise<boolean> {
  return (await post(emu, '/_emulator/totp', { sub, code: totpCode(base32Secret) })).ok;
}
