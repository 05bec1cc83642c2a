import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { loadConfig } from '../../../config/load-config.js';
import type { CanaryFinding, CanaryReport } from '../../../src/canary/canary-finding.js';
import type { CidaasCompat } from '../../../src/cidaas/cidaas-compat.js';
import { startEmulator, type RunningEmulator, type TenantVariant } from '../../../tools/emulator/cidaas-emulator.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { runCanaryForConfig } from '../../../src/cli/run-canary-for-config.js';
import type { ShopDbKind } from '../../support/shop-schema.js';
import { writeShopConfig, type ShopConfigFile } from '../../support/test-config.js';
import { seedUsers, type SeededUsers } from '../../support/user-generator.js';
import { createSyncTarget, type SyncTarget } from '../sync/sync-target.js';

export const CLIENT_ID = 'canary-client';
export const CLIENT_SECRET = 'canary-client-secret-1';
export const LOGIN_APP = { id: 'login-app', secret: 'login-app-secret' } as const;

/** A legacy database for canary tests: shop users (bcrypt, about a third with TOTP) and some with a Django PBKDF2 hash (a text salt). */
export interface CanaryWorld {
  readonly target: SyncTarget;
  readonly seeded: SeededUsers;
  /** Users whose password is a salted Django pbkdf2_sha256 hash. */
  readonly pbkdf2Ids: readonly number[];
  drop(): Promise<void>;
}

/** Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 key>` (django/contrib/auth/hashers.py, PBKDF2PasswordHasher). */
export function djangoPbkdf2(password: string, salt: string, iterations = 1000): string {
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}

export async function createCanaryWorld(kind: ShopDbKind, users = 8): Promise<CanaryWorld> {
  const target = await createSyncTarget(kind);
  const seeded = await seedUsers(target.db, users, 12);
  const pbkdf2Ids = seeded.ids.slice(0, 2);
  for (const id of pbkdf2Ids) {
    const hash = djangoPbkdf2(seeded.passwordOf(id), randomBytes(9).toString('base64url').replace(/[-_]/g, 's'));
    await target.db.query('UPDATE credentials SET password_hash = ? WHERE user_id = ?', [hash, id]);
  }
  return { target, seeded, pbkdf2Ids, drop: () => target.drop() };
}

/** An emulator playing a tenant, with the canary's login app. */
export function tenantEmulator(tenant: Partial<TenantVariant>): Promise<RunningEmulator> {
  return startEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tenant: { ...tenant, passwordGrantClient: LOGIN_APP } });
}

/** The shop config on `emu`, with the canary's login app and the given compat settings. */
export function canaryConfig(world: CanaryWorld, emu: RunningEmulator, compat: Partial<CidaasCompat> = {}, stateUrl?: string): Promise<ShopConfigFile> {
  return writeShopConfig({
    kind: world.target.kind, sourceUrl: world.target.url, publication: world.target.publication, emulatorUrl: emu.url,
    clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...(stateUrl ? { stateUrl } : {}),
    extra: { cidaas: { compat }, canary: { loginClientId: LOGIN_APP.id, loginClientSecret: LOGIN_APP.secret } },
  });
}

/** The canary, in process, for a config file. */
export async function canaryFor(path: string): Promise<CanaryReport> {
  return runCanaryForConfig(await loadConfig(path), new MemoryLogger());
}

/** The settings a canary report says to write. */
export function advisedSettings(report: CanaryReport): Partial<CidaasCompat> {
  const out: Record<string, string> = {};
  for (const f of report.findings) if (f.verdict === 'refuted' && f.setting) out[f.setting.key] = f.setting.value;
  return out as Partial<CidaasCompat>;
}

/** Canary users the emulator still holds. */
export function canaryUsersIn(emu: RunningEmulator): string[] {
  return emu.users().map((u) => u.sub).filter((s) => s.includes('canary-'));
}

export function describeFindings(findings: readonly CanaryFinding[]): string {
  return findings.map((f) => `${f.verdict} ${f.assumption}: ${f.detail}`).join('\n');
}
