import type { Config } from '../config/config-schema.js';
import type { CidaasCustomFieldValue, CidaasPasswordHashInfo, CidaasUserDraft, LegacyUser, MappingFunction, PasswordRecognition } from '../config/mapping-types.js';
import { applyCompat } from './cidaas/cidaas-compat.js';
import type { CidaasUser } from './cidaas/cidaas-user.js';
import { entityProblem } from './dispatch/entity-limits.js';
import { CLEARABLE_FIELDS, finalEntity, type EntityGroups } from './dispatch/final-entity.js';
import type { LegacyRow, LegacyRows } from './legacy-reader.js';
import { keycloakOtpSecret } from './mfa/keycloak-otp-secret.js';
import { normalizeTotpSecret } from './mfa/normalize-totp-secret.js';
import { explicitPasswordHash } from './password/explicit-password-hash.js';
import { noPasswordMarker } from './password/no-password-marker.js';
import { recognizePasswordHash } from './password/recognize-password-hash.js';
import { canonicalValue } from './digest/row-digest.js';
import { Secret } from './secret.js';
import { ownedFieldsOf, type OwnedFields } from './verify/owned-fields.js';
import { mapUserGroups } from './map-user-groups.js';
import { mapUserIdentities } from './map-user-identities.js';

/** What one legacy user becomes in cidaas. */
export type MappedUser =
  /** `groups`: what the final entity says per field group (see finalEntity); push and verify both follow it. */
  | { readonly kind: 'upsert'; readonly sub: string; readonly user: CidaasUser; readonly groups: EntityGroups }
  | { readonly kind: 'delete'; readonly sub: string; readonly reason: 'gone' | 'soft-deleted' | 'mapping' }
  | { readonly kind: 'skip'; readonly sub: string }
  /** Cannot be pushed as it is: goes to the dead-letter list with `reason` (never a secret). */
  | { readonly kind: 'invalid'; readonly sub: string; readonly reason: string };

const BOOLEAN_FIELDS = new Set(['email_verified', 'mobile_number_verified']);

/**
 * Truthy as legacy schemas write it: true, 1, '1', 't', 'true', 'yes', 'y', 'on', or a date/time
 * that is set: "verified at" columns (Rails/Devise `confirmed_at`, Laravel `email_verified_at`) say
 * yes by holding when it happened (MySQL's zero date reads as an invalid Date: no).
 */
export function legacyTruthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
  if (typeof v === 'string') return /^(1|t|true|y|yes|on)$/i.test(v.trim());
  if (v instanceof Uint8Array) return v.length > 0 && v[0] !== 0 && v[0] !== 0x30;
  return false;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A column value as the cidaas field wants it; undefined when there is none. */
function fieldValue(field: string, v: unknown): string | boolean | undefined {
  // A flag that is NULL is pushed as false, not left out: Laravel sets email_verified_at to NULL
  // when the address changes, and an omitted flag would leave cidaas holding the old `true` for an
  // address nobody has confirmed.
  if (BOOLEAN_FIELDS.has(field)) return v !== null && v !== undefined && legacyTruthy(v);
  if (v === null || v === undefined) return undefined;
  if (field === 'birthdate') {
    // node-postgres and mysql2 read a DATE as local midnight.
    if (v instanceof Date) return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
    return String(v).slice(0, 10);
  }
  if (field === 'createdTime' || field === 'lastLoggedInTime') return v instanceof Date ? v.toISOString() : String(v);
  if (field === 'userStatus') return String(v).toUpperCase();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  const s = v instanceof Date ? v.toISOString() : String(v);
  return s.trim() === '' ? undefined : s.trim();
}

function customValue(v: unknown): CidaasCustomFieldValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(String);
  return JSON.stringify(v);
}

function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

/**
 * Builds the cidaas user of a legacy user: the YAML mapping, then the optional mapping module.
 * The same function serves the push, `preview` and `verify`, so they can never disagree.
 */
export class UserMapper {
  readonly #owned: OwnedFields;

  /** The configuration maps custom fields (users.customFields or attributes.customFields): `customFields` is always sent. */
  readonly #mapsCustomFields: boolean;

  /** `mappingTimeoutMs`: how long the mapping module may take for one user (default 5000). */
  constructor(private readonly config: Config, private readonly mapping?: MappingFunction, private readonly mappingTimeoutMs = 5000) {
    this.#owned = ownedFieldsOf(config);
    this.#mapsCustomFields = Object.keys(config.users.customFields).length > 0 || Object.keys(config.attributes?.customFields ?? {}).length > 0;
  }

  /** What the configuration maps (the fields a cleared value must be cleared in cidaas too). */
  get owned(): OwnedFields {
    return this.#owned;
  }

  subOf(key: string): string {
    return this.config.sub.prefix + key;
  }

  #softDeleted(user: LegacyRow): boolean {
    const sd = this.config.users.softDelete;
    if (!sd) return false;
    const v = user[sd.column];
    if (sd.equals === undefined) return v !== null && v !== undefined;
    if (v === null || v === undefined) return false;
    if (typeof sd.equals === 'boolean') return legacyTruthy(v) === sd.equals;
    return canonicalValue(v) === canonicalValue(sd.equals);
  }

  /** The user's attribute rows as name -> value (empty without `attributes`). */
  #attributes(rows: LegacyRows): Record<string, string | null> {
    const attrs: Record<string, string | null> = {};
    const a = this.config.attributes;
    if (a) for (const r of rows.attributes) {
      const name = textOf(r[a.name]);
      if (name !== null) attrs[name] = textOf(r[a.value]);
    }
    return attrs;
  }

  /** What the mapping module is given: copies, so that it cannot change the rows. */
  #legacy(rows: LegacyRows, attributes: Record<string, string | null>): LegacyUser {
    return {
      key: rows.key,
      user: { ...rows.user },
      ...(rows.password[0] ? { password: { ...rows.password[0] } } : {}),
      passwords: rows.password.map((r) => ({ ...r })),
      mfa: rows.mfa.map((r) => ({ ...r })),
      attributes,
      ...(rows.groups ? { groups: rows.groups.map((r) => ({ ...r })) } : {}),
      ...(rows.identities ? { identities: rows.identities.map((r) => ({ ...r })) } : {}),
    };
  }

  /** Sets a cidaas field from a column value: the converted value, '' for a clearable field without one. */
  #set(draft: CidaasUserDraft, field: string, v: unknown): void {
    const value = fieldValue(field, v);
    if (value !== undefined) (draft as Record<string, unknown>)[field] = value;
    else if (CLEARABLE_FIELDS.has(field)) (draft as Record<string, unknown>)[field] = '';
  }

  /**
   * The user a read maps to. Synchronous (no promise) without a mapping module: the backfill maps
   * every user, and a promise and a microtask each were most of what awaiting cost; with one, a
   * promise (the module may be async). Either way `await` it.
   */
  map(rows: LegacyRows): MappedUser | Promise<MappedUser> {
    const sub = this.subOf(rows.key);
    if (!rows.user) return { kind: 'delete', sub, reason: 'gone' };
    if (this.#softDeleted(rows.user)) return { kind: 'delete', sub, reason: 'soft-deleted' };
    const c = this.config;
    const draft: CidaasUserDraft = { sub };
    // Per user of a backfill: no closures, and the copies for the mapping module only when there is one.
    const attributes = this.#attributes(rows);
    for (const field in c.users.fields) this.#set(draft, field, rows.user[c.users.fields[field as keyof typeof c.users.fields] as string]);
    const custom: Record<string, CidaasCustomFieldValue> = {};
    for (const name in c.users.customFields) {
      const v = customValue(rows.user[c.users.customFields[name] as string]);
      if (v !== undefined) custom[name] = v;
    }
    if (c.attributes) {
      for (const [field, name] of Object.entries(c.attributes.fields)) this.#set(draft, field, attributes[name as string]);
      for (const [cf, name] of Object.entries(c.attributes.customFields)) {
        const v = attributes[name as string];
        if (v !== null && v !== undefined) custom[cf] = v;
      }
    }
    // cidaas replaces customFields whole: sending the object (empty too) clears a value cleared in legacy.
    if (this.#mapsCustomFields) draft.customFields = custom;

    let problem: string | null = null;
    let passwordRecognition: PasswordRecognition | undefined;
    if (c.users.groups) {
      // Always sent when mapped, empty too: the upsert's list replaces the memberships (cidaas.compat.groups).
      const mapped = mapUserGroups(c.users.groups, rows.groups ?? []);
      if (mapped.ok) draft.groups = mapped.groups;
      else problem = mapped.reason;
    }
    // Always sent when mapped, empty too, like groups.
    if (c.users.identities) draft.identities = mapUserIdentities(c.users.identities, rows.identities ?? []);
    if (c.password) {
      const recognition = this.#recognizePassword(rows);
      passwordRecognition = recognition.result;
      if (recognition.info) {
        draft.password_hash_info = recognition.info;
        draft.provider = 'self';
      } else if (recognition.result.status === 'unrecognized') problem = `password: ${recognition.result.reason}`;
    }
    if (c.mfa) {
      const m = c.mfa;
      const candidates = m.enabledWhen && !mfaSwitchedOn(m.enabledWhen, rows.user, attributes) ? [] : m.table ? rows.mfa : [rows.user];
      let enrolled = false;
      for (const row of candidates) {
        if (m.enabled && !legacyTruthy(row[m.enabled])) continue;
        const raw = row[m.secret];
        if (raw === null || raw === undefined || raw === '') continue;
        const n = m.encoding === 'keycloak' ? keycloakOtpSecret(raw, m.parameters ? row[m.parameters] : undefined) : normalizeTotpSecret(raw, m.encoding);
        if (!n.ok) { problem ??= `mfa: ${n.reason}`; continue; }
        draft.mfa = { totp: { secret: new Secret(n.base32), algorithm: 'SHA1', digits: 6, period: 30 } };
        enrolled = true;
        break;
      }
      draft.mfa_enabled = enrolled;
      // `mfa: {}` removes a TOTP secret cidaas holds from an earlier push (the device was removed).
      if (!enrolled) draft.mfa = {};
    }

    if (this.mapping) return this.#mapWithModule(rows, sub, draft, attributes, passwordRecognition, problem);
    return this.#finish(rows, sub, draft, draft, problem);
  }

  /** The second half of {@link map} with a mapping module: what it returns for the draft. */
  async #mapWithModule(rows: LegacyRows, sub: string, draft: CidaasUserDraft, attributes: Record<string, string | null>,
    passwordRecognition: PasswordRecognition | undefined, problem: string | null): Promise<MappedUser> {
    const legacy = this.#legacy(rows, attributes);
    if (passwordRecognition) legacy.passwordRecognition = passwordRecognition;
    let out;
    try {
      out = await withTimeout(Promise.resolve().then(() => this.mapping!(draft, legacy)), this.mappingTimeoutMs);
    } catch (err) {
      if (err instanceof MappingTimeout) return { kind: 'invalid', sub, reason: `mapping module did not answer within ${this.mappingTimeoutMs} ms (it must do no I/O)` };
      return { kind: 'invalid', sub, reason: `mapping module threw: ${withoutRowValues(err instanceof Error ? err.message : String(err), legacy)}` };
    }
    if (out === 'skip') return { kind: 'skip', sub };
    if (out === 'delete') return { kind: 'delete', sub, reason: 'mapping' };
    if (!out || typeof out !== 'object') return { kind: 'invalid', sub, reason: 'mapping module returned neither an entity nor skip/delete' };
    const result: CidaasUserDraft = out;
    // The module decides about a hash or secret the YAML mapping could not read: a
    // password_hash_info (or null: no usable password) settles the password.
    if (problem?.startsWith('password:') && 'password_hash_info' in result) problem = null;
    if (problem?.startsWith('mfa:') && (result.mfa?.totp !== undefined || result.mfa_enabled === false)) problem = null;
    return this.#finish(rows, sub, draft, result, problem);
  }

  /** The last part of {@link map}: the entity (the draft, or the module's) checked, finalised and fitted to the tenant. */
  #finish(rows: LegacyRows, sub: string, draft: CidaasUserDraft, result: CidaasUserDraft, problem: string | null): MappedUser {
    if (problem) {
      const fix = problem.startsWith('password:') && this.mapping ? ' (the mapping module may return a password_hash_info for it, or null for "no usable password")' : '';
      return { kind: 'invalid', sub, reason: problem + fix };
    }
    if (!result.email && !result.mobile_number && !result.username) {
      return { kind: 'invalid', sub, reason: 'no identifier: cidaas needs an email, mobile_number or username (check users.fields or the mapping module)' };
    }
    // The draft is ours and has its sub already (finalEntity copies what it changes); a module's entity gets ours.
    const final = finalEntity(result === draft && draft.sub === sub ? draft : { ...result, sub }, this.owned);
    let user: CidaasUser;
    try {
      // What the tenant takes (cidaas.compat) is decided in one module, for the push and verify alike.
      const fitted = applyCompat(toCidaasUser(final.entity), this.config.cidaas.compat);
      if (!fitted.ok) return { kind: 'invalid', sub, reason: fitted.reason };
      user = fitted.user;
    } catch (err) {
      return { kind: 'invalid', sub, reason: `the entity cannot be sent: ${(err as Error).message}` };
    }
    const limit = entityProblem(rows.key, user);
    if (limit) return { kind: 'invalid', sub, reason: limit };
    return { kind: 'upsert', sub, user, groups: final.groups };
  }

  /** The configured password of a user: its recognised hash, a "no password" marker, or why not. */
  #recognizePassword(rows: LegacyRows): { result: PasswordRecognition; info?: CidaasPasswordHashInfo } {
    const p = this.config.password!;
    const row = p.table ? rows.password[0] : rows.user;
    if (!row) return { result: { status: 'none', marker: 'no-row' } };
    const hash = textOf(row[p.hash]);
    const marker = noPasswordMarker(hash);
    if (marker || hash === null) return { result: { status: 'none', marker: marker ?? 'empty' } };
    const alg = p.algorithm;
    const extras = {
      salt: p.salt ? (row[p.salt] as string | Uint8Array | null) : undefined,
      iterations: p.iterations ? (row[p.iterations] as string | number | null) : undefined,
    };
    let r = alg === 'auto' ? recognizePasswordHash(hash, p.parameters ? { parameters: row[p.parameters] } : {})
      : typeof alg === 'string' ? explicitPasswordHash(hash, alg, extras)
      : explicitPasswordHash(hash, textOf(row[alg.column]) ?? '', extras);
    // Two generations in one table: what `auto` does not know is the older one (password.fallback).
    if (!r.ok && !r.noPassword && alg === 'auto' && p.fallback !== undefined) {
      const older = explicitPasswordHash(hash, p.fallback, extras);
      r = older.ok ? older : { ok: false, reason: `not a format \`auto\` recognises, and ${older.reason} (password.fallback)` };
    }
    if (!r.ok) return { result: r.noPassword ? { status: 'none', marker: r.noPassword } : { status: 'unrecognized', reason: r.reason } };
    return {
      result: { status: 'recognized', algorithmTypeId: r.info.algorithmTypeId },
      info: { ...r.info, passwordHash: new Secret(r.info.passwordHash) },
    };
  }
}

/** `mfa.enabledWhen`: the users-table column is truthy, or the attribute's value contains the text. */
function mfaSwitchedOn(when: NonNullable<Config['mfa']>['enabledWhen'] & object, user: LegacyRow, attributes: Record<string, string | null>): boolean {
  if ('column' in when) return legacyTruthy(user[when.column]);
  return (attributes[when.attribute] ?? '').includes(when.contains);
}

class MappingTimeout extends Error {}

/** `p`, or a {@link MappingTimeout} after `ms` (a module awaiting something that never comes). */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new MappingTimeout()), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client's form: every secret wrapped, whatever the mapping module returned. */
function toCidaasUser(d: CidaasUserDraft): CidaasUser {
  const pw = d.password_hash_info;
  const mfa = d.mfa;
  // A loop rather than rest properties (`{ password_hash_info, mfa, ...rest }`), which take V8's
  // slow path: this runs for every user mapped. `sub` first, as the mapper's draft has it.
  const fields = d as Record<string, unknown>;
  const user = { sub: d.sub! } as CidaasUser;
  const out = user as unknown as Record<string, unknown>;
  for (const k in fields) if (k !== 'password_hash_info' && k !== 'mfa' && k !== 'sub' && Object.hasOwn(fields, k)) out[k] = fields[k];
  if (pw) {
    user.password_hash_info = {
      algorithmTypeId: pw.algorithmTypeId,
      passwordHash: pw.passwordHash instanceof Secret ? pw.passwordHash : new Secret(pw.passwordHash),
      ...(pw.hData ? { hData: pw.hData } : {}),
    };
  }
  if (mfa && !mfa.totp) user.mfa = {};
  if (mfa?.totp) {
    const t = mfa.totp;
    user.mfa = { totp: { secret: t.secret instanceof Secret ? t.secret : new Secret(t.secret), algorithm: t.algorithm ?? 'SHA1', digits: t.digits ?? 6, period: t.period ?? 30 } };
  }
  return user;
}

/**
 * A mapping module's exception text without any value of the user's rows in it (a module that
 * writes `throw new Error(\`bad hash ${row.hash}\`)` must not put the hash in the dead-letter list).
 */
function withoutRowValues(message: string, legacy: unknown): string {
  let out = message;
  const values: string[] = [];
  const collect = (v: unknown, depth: number): void => {
    if (typeof v === 'string' && v.length >= 4) values.push(v);
    else if (v instanceof Buffer) values.push(v.toString('utf8'), v.toString('hex'));
    else if (v !== null && typeof v === 'object' && depth < 4) for (const x of Object.values(v)) collect(x, depth + 1);
  };
  collect(legacy, 0);
  for (const v of values.sort((a, b) => b.length - a.length)) out = out.split(v).join('[value]');
  return out;
}
