import type { UserIdentitiesConfig } from '../config/config-schema.js';
import { identityList, type CidaasUserIdentity } from './cidaas/user-identities.js';
import type { LegacyRow } from './legacy-reader.js';

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v)).trim();
  return s === '' ? null : s;
}

/** The cidaas provider name of a legacy provider: `map`, else the legacy name itself. */
export function providerOf(c: UserIdentitiesConfig, legacy: string): string {
  return c.map[legacy] ?? legacy;
}

/**
 * The user's linked social accounts from their rows of `users.identities.table`, sorted, one per
 * provider and id. A row without a provider or an id links nothing and is left out.
 */
export function mapUserIdentities(c: UserIdentitiesConfig, rows: readonly LegacyRow[]): CidaasUserIdentity[] {
  const out: CidaasUserIdentity[] = [];
  for (const row of rows) {
    const provider = text(row[c.provider]);
    const providerUserId = text(row[c.providerUserId]);
    if (provider !== null && providerUserId !== null) out.push({ provider: providerOf(c, provider), providerUserId });
  }
  return identityList(out);
}
