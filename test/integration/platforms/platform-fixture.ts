import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import { ITOA64, phpassEncode64 } from '../../../src/password/formats/crypt-base64.js';
import { totpCode } from '../../../tools/totp.js';
import { freePort } from '../../support/free-port.js';
import { uniqueName } from '../../support/servers.js';
import { killAllSidecars, startSidecar, type SidecarProcess } from '../../support/sidecar-process.js';

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
/**
 * The teardown of a platform test: its sidecars, emulator, SQL client, database and config, each
 * only when its `before` got that far.
 */
export async function closePlatformRun(o: {
  readonly emu: RunningEmulator | undefined;
  readonly sql: { end(): Promise<unknown> } | undefined;
  readonly db: { drop(): Promise<void> } | undefined;
  readonly config: PlatformConfig | undefined;
}): Promise<void> {
  await killAllSidecars();
  await o.emu?.close();
  await o.sql?.end();
  await o.db?.drop();
  await o.config?.remove();
}

export async function loginOk(emu: RunningEmulator, sub: string, password: string): Promise<boolean> {
  return (await post(emu, '/_emulator/login', { sub, password })).ok;
}

/** The emulator's TOTP check with the code of now. */
export async function totpOk(emu: RunningEmulator, sub: string, base32Secret: string): Promise<boolean> {
  return (await post(emu, '/_emulator/totp', { sub, code: totpCode(base32Secret) })).ok;
}

/** The emulator as cidaas and, when asked, a running `cidaas-sync verifier` it delegates CUSTOM_ logins to. */
export interface PlatformTenant {
  readonly emu: RunningEmulator;
  readonly verifier?: SidecarProcess;
  close(): Promise<void>;
}

/**
 * Starts the tenant: with `verifier`, first `cidaas-sync verifier --tenant <emulator URL>` (the
 * emulator's port is chosen before it listens), then the emulator with `--verifier-url` set to it.
 */
export async function startPlatformTenant(o: { verifier: boolean }): Promise<PlatformTenant> {
  if (!o.verifier) {
    const emu = await startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    return { emu, close: () => emu.close() };
  }
  const port = await freePort();
  const verifier = startSidecar({ args: ['verifier', '--tenant', `http://127.0.0.1:${port}`, '--port', '0'] });
  const url = (await verifier.waitForLine((l) => /^https?:\/\//.test(l.message), 60_000)).message;
  const emu = await startEmulator({ port, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, verifierUrl: url });
  return { emu, verifier, close: async () => { await emu.close(); await verifier.terminate(); } };
}

/**
 * A phpass portable hash (openwall PasswordHash.php crypt_private; Drupal 7 includes/password.inc
 * _password_crypt with SHA-512): setting = id + log2 character + 8 salt characters, then
 * h = H(salt . password), 2^log2 times h = H(h . password), cut to `length`. Tests check it
 * against the platforms' published vectors before using it.
 */
export function portableHash(password: string, o: { id: '$P$' | '$S$'; log2: number; salt: string }): string {
  const algorithm = o.id === '$P$' ? 'md5' : 'sha512';
  const setting = `${o.id}${ITOA64[o.log2]!}${o.salt}`;
  const pw = Buffer.from(password, 'utf8');
  let h = createHash(algorithm).update(o.salt, 'latin1').update(pw).digest();
  for (let count = 1 << o.log2; count > 0; count--) h = createHash(algorithm).update(h).update(pw).digest();
  return (setting + phpassEncode64(h, h.length)).slice(0, o.id === '$P$' ? 34 : 55);
}
