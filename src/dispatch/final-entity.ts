import type { CidaasUserDraft } from '../../config/mapping-types.js';
import { membershipMap, sortedGroups } from '../cidaas/user-groups.js';
import { identityList } from '../cidaas/user-identities.js';
import type { OwnedFields } from '../verify/owned-fields.js';

/** What the final entity says about one field group. */
export type GroupVerdict = 'set' | 'cleared' | 'not-owned';

/** The field groups of a mapped user, each set, cleared or not owned. */
export interface EntityGroups {
  readonly profile: GroupVerdict;
  readonly email: GroupVerdict;
  readonly password: GroupVerdict;
  readonly mfa: GroupVerdict;
  readonly customFields: GroupVerdict;
}

/** Free-text fields cidaas lets a push clear with "" (absent fields are kept there). */
export const CLEARABLE_FIELDS: ReadonlySet<string> = new Set(['given_name', 'family_name', 'middle_name', 'nickname']);

const PROFILE_SKIP = new Set(['sub', 'email', 'email_verified', 'password_hash_info', 'mfa', 'mfa_enabled', 'customFields', 'groups', 'identities']);

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/**
 * The one answer to "what does this mapped user say" (docs/architecture.md, "What a mapped user is"): takes the
 * entity the YAML mapping and the mapping module returned, and says per field group whether it is
 * set, cleared or not owned, normalising the entity so that the push sends exactly that:
 *
 * - password: owned when the configuration maps one or the entity carries `password_hash_info`
 *   (a `null` from the mapping module means "no usable password"); owned without a hash is cleared.
 * - MFA: owned when the configuration maps it or the entity says anything about it; set only with
 *   a TOTP secret and `mfa_enabled` not false. Cleared becomes `mfa: {}` + `mfa_enabled: false`,
 *   which removes a TOTP secret cidaas holds, whichever route removed it (device deleted, module
 *   dropped `mfa`, `mfa_enabled: false`).
 * - customFields: the owned keys; cidaas replaces the object whole, so it is always sent when owned.
 * - profile: an owned clearable name missing from the entity is sent as "".
 *
 * Groups the user once had in cidaas but nobody owns now are resolved by the push plan (it knows
 * the state): see `planPush`.
 */
export function finalEntity(entity: CidaasUserDraft, owned: OwnedFields): { entity: CidaasUserDraft; groups: EntityGroups } {
  const out: CidaasUserDraft = { ...entity };
  const raw = out as Record<string, unknown>;

  const passwordOwned = owned.password || 'password_hash_info' in entity;
  let password: GroupVerdict = 'not-owned';
  if (out.password_hash_info) password = 'set';
  else if (passwordOwned) password = 'cleared';
  if (!out.password_hash_info) delete raw['password_hash_info'];

  const mfaOwned = owned.mfa || 'mfa' in entity || 'mfa_enabled' in entity;
  let mfa: GroupVerdict = 'not-owned';
  if (out.mfa?.totp && out.mfa_enabled !== false) {
    mfa = 'set';
    out.mfa_enabled = true;
  } else if (mfaOwned) {
    mfa = 'cleared';
    out.mfa = {};
    out.mfa_enabled = false;
  } else {
    delete raw['mfa'];
    delete raw['mfa_enabled'];
  }

  let customFields: GroupVerdict = 'not-owned';
  if (owned.customFields.length > 0 || out.customFields !== undefined) {
    out.customFields = { ...(out.customFields ?? {}) };
    customFields = Object.values(out.customFields).some(present) ? 'set' : 'cleared';
  }

  // Group memberships: owned ones are always sent (an empty list removes them all), sorted, one entry per groupId.
  if (owned.groups || out.groups !== undefined) out.groups = sortedGroups(membershipMap(out.groups ?? []));
  if (owned.identities || out.identities !== undefined) out.identities = identityList(out.identities ?? []);

  for (const f of owned.fields) if (CLEARABLE_FIELDS.has(f) && !present(raw[f])) raw[f] = '';
  // Loops, not Object.entries(...).some: this runs for every user mapped, and the pairs were garbage.
  let profileSet = false;
  let profileCarried = false;
  for (const k in raw) {
    if (PROFILE_SKIP.has(k) || !Object.hasOwn(raw, k)) continue;
    const v = raw[k];
    if (v !== undefined) profileCarried = true;
    if (present(v)) { profileSet = true; break; }
  }
  let profileOwned = profileCarried;
  for (const f of owned.fields) if (!PROFILE_SKIP.has(f)) { profileOwned = true; break; }
  const profile: GroupVerdict = profileSet ? 'set' : profileOwned ? 'cleared' : 'not-owned';
  const email: GroupVerdict = present(out.email) ? 'set' : owned.fields.includes('email') || 'email' in entity ? 'cleared' : 'not-owned';

  return { entity: out, groups: { profile, email, password, mfa, customFields } };
}
