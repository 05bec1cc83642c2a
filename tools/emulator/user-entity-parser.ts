import type { CustomFieldValue, GroupMembership, MfaSetup, SocialIdentity, StoredUser, TotpSetup } from './stored-user.js';
import { isObject } from './http-io.js';
import { checkPasswordHashInfo } from './password-hash-format.js';
import type { UserRejection } from './user-rules.js';
import { isRejection, reject } from './user-rules.js';

/** The fields one bulk entity sets: present fields replace the stored ones, absent ones are kept. */
export type UserPatch = { -readonly [K in keyof StoredUser]?: StoredUser[K] };

/** Tenant setup the parser checks against. */
export interface ParseOptions {
  /** How the tenant reads hData.salt (tenant-variant.ts); default base64. */
  readonly saltEncoding?: 'base64' | 'text';
  /** customFields keys the tenant has set up; undefined accepts any key. */
  readonly customFieldKeys?: ReadonlySet<string>;
  /** As cidaas does: customFields keys not in this set (the enabled fields of the setup) are dropped silently. */
  readonly dropCustomFieldsNotIn?: ReadonlySet<string>;
  /** Seeding accepts `updatedTime` too (a stored user as GET /_emulator/users shows it). */
  readonly allowUpdatedTime?: boolean;
}

const STRING_FIELDS = new Set([
  'sub', 'userStatus', 'provider', 'email', 'mobile_number', 'username', 'given_name', 'family_name',
  'middle_name', 'nickname', 'locale', 'birthdate', 'createdTime', 'lastLoggedInTime', 'updatedTime',
]);
const BOOLEAN_FIELDS = new Set(['email_verified', 'mobile_number_verified', 'mfa_enabled']);
const OBJECT_FIELDS = new Set(['customFields', 'password_hash_info', 'mfa']);
const USER_STATUSES = new Set(['VERIFIED', 'PENDING', 'LOCKED', 'DECLINED']);

// Deliberately simple: one @, no spaces, a dot in the domain ("bad@example" fails, as on cidaas).
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const BASE32 = /^[A-Z2-7]+=*$/;
// 80 bits: the 16-character secrets of Google Authenticator-era systems, common in legacy data.
const MIN_TOTP_SECRET_BYTES = 10;
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

// Shared strings for the values that repeat across a million users.
const interned = new Map<string, string>();
function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 10_000) interned.set(value, value);
  return value;
}

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function checkCustomFields(raw: Record<string, unknown>, keys: ReadonlySet<string> | undefined): Record<string, CustomFieldValue> | UserRejection {
  const out: Record<string, CustomFieldValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (keys !== undefined && !keys.has(key)) return reject('unknown_custom_field', `customField "${key}" is not in the tenant's field setup`);
    if (Array.isArray(value)) {
      if (!value.every(isScalar)) return reject('invalid_custom_fields', `invalid customFields value for "${key}": array items must be strings, numbers or booleans`);
      out[key] = Object.freeze([...value]);
    } else if (isScalar(value)) {
      out[key] = value;
    } else {
      return reject('invalid_custom_fields', `invalid customFields value for "${key}": expected a string, number, boolean or array`);
    }
  }
  return Object.freeze(out);
}

/** `groups`: a list of groupIds, or of `{groupId, roles?}` (either ASSUMED shape), as sorted memberships. */
function checkGroups(raw: unknown): readonly GroupMembership[] | UserRejection {
  if (!Array.isArray(raw)) return reject('invalid_groups', 'groups must be an array');
  const byId = new Map<string, string[]>();
  for (const item of raw) {
    if (typeof item === 'string' && item !== '') {
      byId.set(item, byId.get(item) ?? []);
      continue;
    }
    if (!isObject(item) || typeof item['groupId'] !== 'string' || item['groupId'] === '') return reject('invalid_groups', 'groups items must be a groupId or {"groupId", "roles"}');
    for (const key of Object.keys(item)) if (key !== 'groupId' && key !== 'roles') return reject('invalid_groups', `unknown field "groups[].${key}"`);
    const roles = item['roles'] ?? [];
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return reject('invalid_groups', 'groups[].roles must be an array of strings');
    byId.set(item['groupId'], [...new Set([...(byId.get(item['groupId']) ?? []), ...(roles as string[])])].sort());
  }
  return Object.freeze([...byId.keys()].sort().map((groupId) => Object.freeze({ groupId, roles: Object.freeze(byId.get(groupId)!) })));
}

/** `identities`: `[{provider, providerUserId}]`, as a sorted list without repeats. */
function checkIdentities(raw: unknown): readonly SocialIdentity[] | UserRejection {
  if (!Array.isArray(raw)) return reject('invalid_identities', 'identities must be an array');
  const byKey = new Map<string, SocialIdentity>();
  for (const item of raw) {
    if (!isObject(item) || typeof item['provider'] !== 'string' || item['provider'] === '' || typeof item['providerUserId'] !== 'string' || item['providerUserId'] === '') {
      return reject('invalid_identities', 'identities items must be {"provider", "providerUserId"} (non-empty strings)');
    }
    for (const key of Object.keys(item)) if (key !== 'provider' && key !== 'providerUserId') return reject('invalid_identities', `unknown field "identities[].${key}"`);
    byKey.set(`${item['provider']}\n${item['providerUserId']}`, Object.freeze({ provider: item['provider'], providerUserId: item['providerUserId'] }));
  }
  return Object.freeze([...byKey.keys()].sort().map((k) => byKey.get(k)!));
}

function checkMfa(raw: Record<string, unknown>): MfaSetup | UserRejection {
  for (const key of Object.keys(raw)) if (key !== 'totp') return reject('invalid_mfa', `unknown field "mfa.${key}"`);
  if (raw['totp'] === undefined) return Object.freeze({});
  const totp = raw['totp'];
  if (!isObject(totp)) return reject('invalid_mfa', 'mfa.totp must be an object');
  for (const key of Object.keys(totp)) {
    if (!['secret', 'algorithm', 'digits', 'period'].includes(key)) return reject('invalid_mfa', `unknown field "mfa.totp.${key}"`);
  }
  const { secret, algorithm = 'SHA1', digits = 6, period = 30 } = totp;
  if (algorithm !== 'SHA1' || digits !== 6 || period !== 30) {
    return reject('invalid_mfa', 'unsupported mfa.totp parameters: only algorithm "SHA1", digits 6, period 30');
  }
  if (typeof secret !== 'string' || !BASE32.test(secret)) {
    return reject('invalid_totp_secret', 'invalid mfa totp secret: not base32 (RFC 4648 upper case A-Z2-7)');
  }
  if (Math.floor((secret.replace(/=+$/, '').length * 5) / 8) < MIN_TOTP_SECRET_BYTES) {
    return reject('invalid_totp_secret', `invalid mfa totp secret: shorter than ${MIN_TOTP_SECRET_BYTES * 8} bits`);
  }
  const setup: TotpSetup = Object.freeze({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
  return Object.freeze({ totp: setup });
}

/**
 * Checks one element of a bulk body against the user entity of docs/cidaas-api.md and
 * returns the fields it sets, or the first rule it breaks. Checks that need the stored
 * user (identifier present after merge, email owner, password overwrite) are the
 * store's.
 */
export function parseUserEntity(raw: Record<string, unknown>, options: ParseOptions = {}): UserPatch | UserRejection {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const known = STRING_FIELDS.has(field) || BOOLEAN_FIELDS.has(field) || OBJECT_FIELDS.has(field) || field === 'groups' || field === 'identities';
    if (!known || (field === 'updatedTime' && !options.allowUpdatedTime)) return reject('unknown_field', `unknown field "${field}"`);
    if (value === null) return reject('null_value', `${field} must not be null`);
    if (STRING_FIELDS.has(field) && typeof value !== 'string') return reject('invalid_type', `${field} must be a string`);
    if (BOOLEAN_FIELDS.has(field) && typeof value !== 'boolean') return reject('invalid_type', `${field} must be a boolean`);
    if (OBJECT_FIELDS.has(field) && !isObject(value)) return reject('invalid_type', `${field} must be an object`);
    patch[field] = value;
  }

  const sub = patch['sub'] as string | undefined;
  if (sub !== undefined && (sub === '' || sub.length > 255 || CONTROL_CHARS.test(sub))) {
    return reject('invalid_sub', 'invalid sub: 1..255 characters without control characters');
  }
  const email = patch['email'] as string | undefined;
  if (email !== undefined && !EMAIL.test(email)) return reject('invalid_email', 'invalid email passed');
  const mobile = patch['mobile_number'] as string | undefined;
  if (mobile !== undefined && !E164.test(mobile)) return reject('invalid_mobile_number', 'invalid mobile_number passed: E.164 expected, e.g. +4915112345678');
  if (patch['username'] === '') return reject('invalid_username', 'username must not be empty');
  const status = patch['userStatus'] as string | undefined;
  if (status !== undefined) {
    if (!USER_STATUSES.has(status)) return reject('invalid_user_status', 'invalid userStatus: VERIFIED, PENDING, LOCKED or DECLINED');
    patch['userStatus'] = intern(status);
  }
  const birthdate = patch['birthdate'] as string | undefined;
  if (birthdate !== undefined && !isRealDate(birthdate)) return reject('invalid_birthdate', 'invalid birthdate: YYYY-MM-DD expected');
  for (const field of ['createdTime', 'lastLoggedInTime', 'updatedTime']) {
    const value = patch[field] as string | undefined;
    if (value !== undefined && (!ISO_8601.test(value) || Number.isNaN(Date.parse(value)))) {
      return reject('invalid_timestamp', `invalid ${field}: ISO 8601 expected, e.g. 2024-01-31T12:00:00Z`);
    }
  }
  for (const field of ['provider', 'locale']) if (typeof patch[field] === 'string') patch[field] = intern(patch[field] as string);

  if (patch['customFields'] !== undefined) {
    const given = patch['customFields'] as Record<string, unknown>;
    const kept = options.dropCustomFieldsNotIn ? Object.fromEntries(Object.entries(given).filter(([k]) => options.dropCustomFieldsNotIn!.has(k))) : given;
    const fields = checkCustomFields(kept, options.customFieldKeys);
    if (isRejection(fields)) return fields;
    patch['customFields'] = fields;
  }
  if (patch['groups'] !== undefined) {
    const groups = checkGroups(patch['groups']);
    if (isRejection(groups)) return groups;
    patch['groups'] = groups;
  }
  if (patch['identities'] !== undefined) {
    const identities = checkIdentities(patch['identities']);
    if (isRejection(identities)) return identities;
    patch['identities'] = identities;
  }
  if (patch['password_hash_info'] !== undefined) {
    const info = checkPasswordHashInfo(patch['password_hash_info'], options.saltEncoding);
    if (isRejection(info)) return info;
    patch['password_hash_info'] = info;
  }
  if (patch['mfa'] !== undefined) {
    const mfa = checkMfa(patch['mfa'] as Record<string, unknown>);
    if (isRejection(mfa)) return mfa;
    patch['mfa'] = mfa;
  }
  return patch as UserPatch;
}
