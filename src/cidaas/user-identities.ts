/**
 * A user's linked social logins in the bulk entity: `identities: [{provider, providerUserId}]`.
 * **ASSUMED** (docs/cidaas-api.md, "identities"): the shape is what cidaas's material names for
 * the link; whether an upsert's list replaces the user's identities is not documented, and
 * cidaas-sync sends the whole list every time (empty for none), as for groups.
 */
export interface CidaasUserIdentity {
  /** The cidaas provider name (`google`, `facebook`, a custom provider's name). */
  readonly provider: string;
  /** The user's id at the provider (Google's `sub`): per OAuth client at Google and Facebook. */
  readonly providerUserId: string;
}

/**
 * Identities in one comparable form, whatever came back: sorted by provider then id, one entry
 * per pair; items without a string provider and providerUserId are skipped. Push, verify and the
 * emulator read identities through this one function.
 */
export function identityList(value: unknown): CidaasUserIdentity[] {
  if (!Array.isArray(value)) return [];
  const seen = new Map<string, CidaasUserIdentity>();
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { provider, providerUserId } = item as { provider?: unknown; providerUserId?: unknown };
    if (typeof provider !== 'string' || typeof providerUserId !== 'string') continue;
    seen.set(`${provider}\n${providerUserId}`, { provider, providerUserId });
  }
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}

/** True when both hold the same identities (in any order). */
export function sameIdentities(a: unknown, b: unknown): boolean {
  const x = identityList(a);
  const y = identityList(b);
  return x.length === y.length && x.every((e, i) => e.provider === y[i]!.provider && e.providerUserId === y[i]!.providerUserId);
}
