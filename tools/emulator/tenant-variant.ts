/**
 * What a real cidaas tenant may do differently from the emulator's defaults, where
 * cidaas's public material is silent (docs/cidaas-api.md). One switch per point,
 * so that every shape the client may meet is tested; the defaults are the contract as
 * first written.
 */
export interface TenantVariant {
  /** The bulk answer: `data` (`{"success","status","data":{"process_states"}}`, default) or `bare` (`{"process_states"}`). */
  readonly bulkEnvelope: 'data' | 'bare';
  /** The per-user state field of a bulk answer: `status` (default), `state` or `process_state`. */
  readonly bulkStateField: 'status' | 'state' | 'process_state';
  /** `input` (default): process_states in input order; `shuffled`: in another order. */
  readonly bulkOrder: 'input' | 'shuffled';
  /** How `hData.salt` is read: `base64` of the salt bytes (default) or `text` (its UTF-8 bytes). */
  readonly saltEncoding: 'base64' | 'text';
  /** A bulk user with `mfa`: `accept` stores the TOTP seed (default), `ignore` stores nothing, `refuse` fails the user ("unknown field mfa"). */
  readonly totpImport: 'accept' | 'ignore' | 'refuse';
  /**
   * ASSUMED: the removal of a stored TOTP seed it honours: `empty` (`mfa: {}`, default) or `null`
   * (`mfa: {"totp": null}`); the other shape is ignored, and `ignore` keeps the seed whatever is sent.
   */
  readonly totpRemoval: 'empty' | 'null' | 'ignore';
  /** POST /user-srv/graph/users and POST /user-ext-srv/bulkread/users exist (default true); false answers 404, as an unknown path. */
  readonly search: boolean;
  /** DELETE /users-srv/user/purge/{sub} exists (default true); false answers 404, as an unknown path. */
  readonly purge: boolean;
  /**
   * ASSUMED: a bulk user's `groups` `replace` its memberships (default) or `add` to them;
   * `ignore-empty` replaces them with a non-empty list and leaves them as they are for an empty one.
   */
  readonly groupUpdate: 'replace' | 'add' | 'ignore-empty';
  /** ASSUMED: a bulk user's `identities` `replace` its social links (default) or `add` to them. */
  readonly identityUpdate: 'replace' | 'add';
  /** ASSUMED: a bulk user naming a group the tenant lacks: `fail` the user (default) or `drop` that membership silently. */
  readonly unknownGroup: 'fail' | 'drop';
  /** ASSUMED: a bulk user whose `identities` name a provider the tenant lacks or has disabled: `fail` the user (default) or `drop` that identity. */
  readonly unknownProvider: 'fail' | 'drop';
  /** An app allowed the password grant (`grant_type=password`); default none. */
  readonly passwordGrantClient: { readonly id: string; readonly secret: string } | undefined;
}

/** The emulator's defaults: the contract as first assumed (docs/cidaas-api.md). */
export const DEFAULT_TENANT_VARIANT: TenantVariant = {
  bulkEnvelope: 'data', bulkStateField: 'status', bulkOrder: 'input', saltEncoding: 'base64', totpImport: 'accept', totpRemoval: 'empty',
  search: true, purge: true, groupUpdate: 'replace', identityUpdate: 'replace', unknownGroup: 'fail', unknownProvider: 'fail', passwordGrantClient: undefined,
};

/** The endpoints (stats keys) a variant does not serve: they answer 404 as an unknown path. */
export function servedByVariant(variant: TenantVariant, endpoint: string): boolean {
  if (!variant.search && (endpoint === 'POST /user-srv/graph/users' || endpoint === 'POST /user-ext-srv/bulkread/users')) return false;
  if (!variant.purge && endpoint === 'DELETE /users-srv/user/purge/{sub}') return false;
  return true;
}

/**
 * A permutation of 0..n-1 other than the identity (for n >= 2), as `shuffled` answers:
 * random, but never in input order, so a test of matching can fail.
 */
export function shuffledOrder(n: number, random: () => number = Math.random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  if (n >= 2 && order.every((v, i) => v === i)) order.push(order.shift()!);
  return order;
}
