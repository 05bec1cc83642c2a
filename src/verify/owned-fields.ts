import type { Config } from '../../config/config-schema.js';

/**
 * The parts of a cidaas user that the configuration maps, and so owns. verify compares the
 * fields a push sends; for an owned field the push does not send (the legacy column is NULL),
 * a value in cidaas is a difference too: cidaas keeps fields a push leaves out, so a value
 * cleared in legacy lingers there. Fields nobody maps (set in cidaas by the user or an admin)
 * are not compared.
 */
export interface OwnedFields {
  /** cidaas user fields (`users.fields`, `attributes.fields`). */
  readonly fields: readonly string[];
  /** `customFields` keys (`users.customFields`, `attributes.customFields`). */
  readonly customFields: readonly string[];
  /** The configuration maps passwords: a password in cidaas for a legacy user without one is a difference. */
  readonly password: boolean;
  /** The configuration maps TOTP: an enrolled TOTP in cidaas for a legacy user without one is a difference. */
  readonly mfa: boolean;
  /** The configuration maps group memberships (`users.groups`): a group in cidaas the legacy user lacks is a difference. */
  readonly groups?: boolean;
  /** The configuration maps social logins (`users.identities`): an identity in cidaas the legacy user lacks is a difference. */
  readonly identities?: boolean;
}

/** Owns nothing beyond what each mapped user carries. */
export const NO_OWNED_FIELDS: OwnedFields = { fields: [], customFields: [], password: false, mfa: false };

/** What the YAML configuration maps. A mapping module may set more; those fields count when it sets them. */
export function ownedFieldsOf(config: Config): OwnedFields {
  const fields = new Set<string>(Object.keys(config.users.fields));
  const customFields = new Set<string>(Object.keys(config.users.customFields));
  if (config.attributes) {
    for (const f of Object.keys(config.attributes.fields)) fields.add(f);
    for (const f of Object.keys(config.attributes.customFields)) customFields.add(f);
  }
  return { fields: [...fields], customFields: [...customFields], password: config.password !== undefined, mfa: config.mfa !== undefined, groups: config.users.groups !== undefined,
    identities: config.users.identities !== undefined };
}
