import { createHash } from 'node:crypto';
import type { Config } from '../../config/config-schema.js';
import type { StateStore } from '../state/state-store.js';
import { META } from '../state/meta-keys.js';

const PENDING = META.canaryPending;
const PASSED = META.canaryPassed;

/**
 * The canary's record in the state store: the subs of canary users it pushed and has not
 * removed yet (written BEFORE each push, so a run killed at any point leaves its users on
 * record for the next run to remove), and the configuration it last passed with.
 */
export class CanaryLedger {
  constructor(private readonly store: StateStore) {}

  /** Canary subs pushed (or about to be) and not yet confirmed gone. */
  async pending(): Promise<string[]> {
    const raw = await this.store.getMeta(PENDING);
    if (raw === null) return [];
    try {
      const list = JSON.parse(raw) as unknown;
      return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
    } catch {
      return [];
    }
  }

  async add(subs: readonly string[]): Promise<void> {
    const all = new Set([...(await this.pending()), ...subs]);
    await this.store.setMeta(PENDING, JSON.stringify([...all]));
  }

  async remove(subs: readonly string[]): Promise<void> {
    const gone = new Set(subs);
    await this.store.setMeta(PENDING, JSON.stringify((await this.pending()).filter((s) => !gone.has(s))));
  }

  /** Records that the canary found nothing refuted with this tenant and these settings. */
  async markPassed(config: Config): Promise<void> {
    await this.store.setMeta(PASSED, JSON.stringify({ fingerprint: canaryFingerprint(config), at: new Date().toISOString() }));
  }

  /** When the canary last passed with this tenant and these settings, or null. */
  async passedAt(config: Config): Promise<string | null> {
    const raw = await this.store.getMeta(PASSED);
    if (raw === null) return null;
    try {
      const v = JSON.parse(raw) as { fingerprint?: unknown; at?: unknown };
      return v.fingerprint === canaryFingerprint(config) && typeof v.at === 'string' ? v.at : null;
    } catch {
      return null;
    }
  }
}

/** What a canary pass vouches for: the tenant, the client, and every compat setting. */
export function canaryFingerprint(config: Config): string {
  const c = config.cidaas;
  return createHash('sha256').update(JSON.stringify([c.baseUrl, c.clientId, c.compat])).digest('hex').slice(0, 32);
}
