import type { CidaasUser } from './cidaas-user.js';
import { groupsInShape } from './user-groups.js';

/**
 * What a cidaas tenant does where cidaas's public material is silent: one setting per
 * question, under `cidaas.compat` in the YAML. `cidaas-sync canary` finds out which
 * value a tenant needs. docs/cidaas-api.md lists each question and what is known.
 */
export interface CidaasCompat {
  /**
   * How `password_hash_info.hData.salt` is read by the tenant. `base64` (default): the
   * salt bytes in standard base64, so binary salts survive. `text`: the salt as text;
   * a salt whose bytes are not valid UTF-8 cannot be sent (that user is a dead letter).
   */
  readonly saltEncoding: 'base64' | 'text';
  /**
   * Whether the tenant takes a TOTP seed. `totp` (default): the seed is sent in
   * `mfa.totp`. `flag-only`: only `mfa_enabled` is sent; the users who had an
   * authenticator must enrol it again, and `status`, `verify` and the go-live report list them.
   */
  readonly totpImport: 'totp' | 'flag-only';
  /**
   * ASSUMED: how the tenant is asked to remove a TOTP seed it holds (2FA turned off or the
   * device deleted in legacy), with `totpImport: totp`. `empty` (default): `mfa: {}`; `null`:
   * `mfa: {"totp": null}`; `unsupported`: no upsert removes a seed on this tenant, so none is
   * sent (`mfa_enabled: false` alone) and every such removal is warned about, counted and listed
   * for an admin to reset the user's MFA in cidaas (see {@link keepsRemovedTotp}).
   */
  readonly totpRemoval?: 'empty' | 'null' | 'unsupported';
  /**
   * How verify reads users back. `graph` (default): POST /user-srv/graph/users with the
   * subs as terms; `bulkread`: POST /user-ext-srv/bulkread/users page by page (any size);
   * `get`: one GET /user-srv/users/{sub} per user.
   */
  readonly search: 'graph' | 'bulkread' | 'get';
  /**
   * How a user is deleted when `cidaas.onDelete` is `purge`. `purge` (default): DELETE
   * /users-srv/user/purge/{sub}; `schedule`: POST
   * /users-srv/user/unregister/scheduler/schedule/{sub} (cidaas 4.x).
   */
  readonly delete: 'purge' | 'schedule';
  /**
   * ASSUMED: whether a bulk upsert's `groups` replace the user's memberships (`replace`, default)
   * or only add to them (`add`: after an update, the memberships the list lacks are removed one by
   * one, `src/dispatch/stale-memberships.ts`).
   */
  readonly groups?: 'replace' | 'add';
  /**
   * ASSUMED: whether an empty `groups` list clears the user's memberships (`clear`, default) or is
   * ignored (`ignore`: a user whose last membership was removed in legacy is read back after the
   * update and removed from each group one by one, as under `groups: add`).
   */
  readonly emptyGroups?: 'clear' | 'ignore';
  /** ASSUMED: `groups` as `objects` (`[{groupId, roles}]`, default) or `ids` (`["groupId"]`). */
  readonly groupShape?: 'objects' | 'ids';
  /**
   * ASSUMED: whether a bulk upsert's `identities` replace the user's social links (`replace`,
   * default) or only add to them (`add`). No documented call removes one link, so under `add` a
   * link removed in legacy stays in cidaas: every updated user is read back, and each link cidaas
   * holds that the pushed list lacks is logged and counted (`src/dispatch/stale-memberships.ts`);
   * verify reports the user as differing until an administrator unlinks it.
   */
  readonly identities?: 'replace' | 'add';
}

/** What must be read back after an update, and what done then, by this tenant's compat settings. */
export interface AfterUpdate {
  /** Remove the memberships cidaas holds that the pushed `groups` lack: always (`add`), or when the list is empty (`emptyGroups: ignore`). */
  readonly groups: 'never' | 'always' | 'when-empty';
  /** Report the social links cidaas holds that the pushed `identities` lack (`identities: add`). */
  readonly identities: boolean;
}

/**
 * The one place that decides which updated users are read back after the bulk upsert (one GET
 * each), and why: the tenant keeps what an upsert list left out (`groups: add`, `identities:
 * add`) or ignores an empty `groups` list (`emptyGroups: ignore`).
 */
export function afterUpdate(compat: CidaasCompat): AfterUpdate {
  return {
    groups: compat.groups === 'add' ? 'always' : compat.emptyGroups === 'ignore' ? 'when-empty' : 'never',
    identities: compat.identities === 'add',
  };
}

/** True when the memberships cidaas holds beyond this user's pushed `groups` must be removed (see {@link afterUpdate}). */
export function removesStaleGroups(user: CidaasUser, after: AfterUpdate): boolean {
  return user.groups !== undefined && (after.groups === 'always' || (after.groups === 'when-empty' && user.groups.length === 0));
}

/** True when this user, just updated, must be read back (see {@link afterUpdate}). */
export function needsReadBack(user: CidaasUser, after: AfterUpdate): boolean {
  return removesStaleGroups(user, after) || (after.identities && user.identities !== undefined);
}

/** The values used when `cidaas.compat` leaves a key out. */
export const DEFAULT_COMPAT: CidaasCompat = { saltEncoding: 'base64', totpImport: 'totp', search: 'graph', delete: 'purge', totpRemoval: 'empty' };

/** The user as this tenant is to receive it, or why it cannot be sent. */
export type CompatResult =
  | { readonly ok: true; readonly user: CidaasUser; readonly mustReenrolTotp: boolean }
  | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The one place that decides what a compat setting means for a user entity. The mapper
 * calls it last, so the push, `preview` and `verify` (which compares against the mapped
 * user) all see the same entity: with `flag-only`, verify expects `mfa_enabled` and no
 * TOTP secret because the entity carries none.
 *
 * - `saltEncoding: text`: `hData.salt` (base64 of the salt bytes everywhere before this
 *   point) becomes the salt's UTF-8 text; bytes that are not UTF-8 make the user invalid.
 *   `CUSTOM_<name>` salts are passed through as the legacy database holds them either way.
 * - `totpImport: flag-only`: `mfa` is dropped (not even `mfa: {}` is sent: a tenant that
 *   refuses the field refuses it empty too); `mfa_enabled` stays. `mustReenrolTotp` is
 *   true for a user whose TOTP seed is thereby left behind.
 * - `totpRemoval` (with `totpImport: totp`), for a user without a seed (`mfa: {}`, which asks
 *   the tenant to remove one): `empty` leaves `mfa: {}`; `null` makes it `mfa: {"totp": null}`;
 *   `unsupported` drops `mfa` (`mfa_enabled: false` stays). The fingerprints and verify read all
 *   three as "no seed", so switching the setting re-pushes nobody.
 */
export function applyCompat(user: CidaasUser, compat: CidaasCompat): CompatResult {
  let out = user;
  let mustReenrolTotp = false;
  const pw = user.password_hash_info;
  const salt = pw?.hData?.salt;
  if (compat.saltEncoding === 'text' && pw && salt !== undefined && !pw.algorithmTypeId.startsWith('CUSTOM_')) {
    let text: string;
    try {
      text = utf8.decode(Buffer.from(salt, 'base64'));
    } catch {
      return {
        ok: false,
        reason: 'password: the salt is binary (not valid UTF-8 text) and cidaas.compat.saltEncoding is text, so the tenant cannot be given it; ' +
          'ask cidaas support whether hData.salt may be base64, or let these users reset their password',
      };
    }
    out = { ...out, password_hash_info: { ...pw, hData: { ...pw.hData, salt: text } } };
  }
  if (user.groups !== undefined) out = { ...out, groups: groupsInShape(user.groups, compat.groupShape ?? 'objects') };
  if (compat.totpImport === 'flag-only' && user.mfa !== undefined) {
    mustReenrolTotp = user.mfa.totp !== undefined;
    const { mfa: _dropped, ...rest } = out;
    out = rest;
  } else if (out.mfa !== undefined && !out.mfa.totp) {
    const { mfa: _dropped, ...rest } = out;
    out = { ...rest, ...totpOffFields(compat) };
  }
  return { ok: true, user: out, mustReenrolTotp };
}

/**
 * What a push carries to take a user's TOTP seed away in cidaas, decided here once for the mapper
 * (applyCompat) and the push plan (a seed pushed before that no mapping owns any more):
 * `totpRemoval` `empty` `{mfa: {}}`, `null` `{mfa: {totp: null}}`, `unsupported` nothing; with
 * `totpImport: flag-only` nothing either (a tenant that refuses the field refuses it empty too).
 */
export function totpOffFields(compat: CidaasCompat): Pick<CidaasUser, 'mfa'> {
  if (compat.totpImport === 'flag-only') return {};
  const removal = compat.totpRemoval ?? 'empty';
  return removal === 'null' ? { mfa: { totp: null } } : removal === 'unsupported' ? {} : { mfa: {} };
}

/**
 * True when a mapped user had a TOTP authenticator in legacy that this tenant will not
 * get (`flag-only`): the user must enrol it again. Read from the entity the mapper
 * produced: `mfa_enabled` with no `mfa` block.
 */
export function mustReenrolTotp(user: CidaasUser, compat: CidaasCompat): boolean {
  return compat.totpImport === 'flag-only' && needsTotpEnrolment(user);
}

/**
 * True when the entity turns on MFA without a TOTP seed (what `flag-only` sends for a user
 * who had an authenticator): cidaas will ask this user to enrol one at the next login.
 */
export function needsTotpEnrolment(user: CidaasUser): boolean {
  return user.mfa_enabled === true && user.mfa === undefined;
}

/**
 * True when this tenant keeps a TOTP seed that legacy removed (`totpImport: totp` with
 * `totpRemoval: unsupported`): each push that turns a user's MFA off leaves the old
 * authenticator working in cidaas, so the dispatcher warns about it and counts it.
 */
export function keepsRemovedTotp(compat: CidaasCompat): boolean {
  return compat.totpImport === 'totp' && compat.totpRemoval === 'unsupported';
}

/**
 * True when a read-back shows cidaas holding a TOTP seed for a user that legacy says has none
 * (`expected`: the push plan's user, with MFA off): the seed survived its removal (the tenant
 * ignores the removal shape sent, or `totpRemoval` is `unsupported`). An old or stolen
 * authenticator keeps working there until an admin resets the user's MFA in cidaas. Whatever
 * the setting, so that a wrong guess is never silent.
 */
export function strandedTotp(expected: CidaasUser, actual: { readonly mfa?: { readonly totp?: { readonly enrolled: boolean } } }): boolean {
  return expected.mfa_enabled === false && !expected.mfa?.totp && actual.mfa?.totp?.enrolled === true;
}
