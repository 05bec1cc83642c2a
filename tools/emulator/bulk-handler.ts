import type { EmulatorState } from './emulator-state.js';
import type { Reply } from './envelopes.js';
import { ErrorCodes, serviceError, success } from './envelopes.js';
import { isJson, isObject, parseJson } from './http-io.js';
import type { GroupMembership, SocialIdentity } from './stored-user.js';
import { parseUserEntity } from './user-entity-parser.js';
import { isRejection } from './user-rules.js';
import { shuffledOrder } from './tenant-variant.js';
import { removalAsHonoured } from './totp-removal.js';

/**
 * The whole-batch rules of POST /users-srv/user/bulk: any of them rejects the batch
 * and no user is touched.
 */
export const BATCH_RULES = {
  not_json_content_type: '400: the Content-Type is not application/json',
  malformed_json: '400: the body is not JSON',
  not_an_array: '400: the body is not a JSON array',
  empty_array: '400: the array is empty',
  over_cap: '413: more users than the batch cap (--max-batch, 50 by default)',
  element_not_object: '400: an element of the array is not a JSON object',
} as const;

/** One entry of `process_states`. */
export interface ProcessState {
  readonly sub: string;
  readonly identifier: Readonly<Record<string, string>>;
  readonly status: 'CREATED' | 'UPDATED' | 'FAILED';
  readonly message?: string;
}

function badBatch(status: 400 | 413, message: string): Reply {
  return serviceError(status, 'UsersException', message, status === 413 ? ErrorCodes.tooManyUsers : ErrorCodes.invalidRequest);
}

function identifierOf(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['email', 'mobile_number', 'username']) {
    const value = raw[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** POST /users-srv/user/bulk: checks the batch, then upserts user by user, in order. */
export function handleBulk(state: EmulatorState, contentType: string | undefined, body: Buffer): Reply {
  if (!isJson(contentType)) return badBatch(400, 'Content-Type must be application/json');
  const parsed = parseJson(body);
  if (!parsed.ok) return badBatch(400, 'malformed body: not JSON');
  const users = parsed.value;
  if (!Array.isArray(users)) return badBatch(400, 'the body must be a JSON array of users');
  if (users.length === 0) return badBatch(400, 'the body must hold at least one user');
  if (users.length > state.config.maxBatch) return badBatch(413, `at most ${state.config.maxBatch} users per call, got ${users.length}`);
  const maxBody = state.config.maxBodyBytes;
  if (maxBody !== undefined && body.length > maxBody) return badBatch(413, `request body of ${body.length} bytes is over the limit of ${maxBody}`);
  const notObject = users.findIndex((u) => !isObject(u));
  if (notObject >= 0) return badBatch(400, `malformed body: element ${notObject} is not a JSON object`);

  const now = new Date().toISOString();
  const { store, faults, stats, config } = state;
  const { variant } = config;
  const checkFaults = faults.hasUserFaults;
  const states: ProcessState[] = (users as Record<string, unknown>[]).map((given) => {
    const identifier = identifierOf(given);
    const failed = (message: string): ProcessState => {
      stats.failed++;
      return { sub: 'ANONYMOUS', identifier, status: 'FAILED', message };
    };
    let raw = given;
    if ('mfa' in given && variant.totpImport !== 'accept') {
      // A tenant without TOTP import: refuses the field, or drops it unread.
      if (variant.totpImport === 'refuse') return failed('unknown field mfa');
      const { mfa: _ignored, ...rest } = given;
      raw = rest;
    }
    raw = removalAsHonoured(raw, variant.totpRemoval);
    const patch = parseUserEntity(raw, {
      customFieldKeys: config.customFieldKeys, saltEncoding: variant.saltEncoding,
      ...(config.setup.strictFields ? { dropCustomFieldsNotIn: state.setup.enabledFieldKeys() } : {}),
    });
    if (isRejection(patch)) return failed(patch.message);
    if (checkFaults && patch.email !== undefined) {
      const message = faults.takeFailEmail(patch.email);
      if (message !== undefined) return failed(message);
    }
    if (patch.groups !== undefined) {
      const groups = memberships(patch.groups, store.get(patch.sub ?? '')?.groups, state);
      if (typeof groups === 'string') return failed(groups);
      patch.groups = groups;
    }
    if (patch.identities !== undefined) {
      const known = (i: SocialIdentity): boolean => hasEnabledProvider(state, i.provider);
      const unknown = patch.identities.find((i) => !known(i));
      if (unknown && variant.unknownProvider === 'fail') return failed(`provider "${unknown.provider}" is not enabled in the tenant`);
      if (unknown) patch.identities = patch.identities.filter(known);
      if (variant.identityUpdate === 'add') patch.identities = addedIdentities(patch.identities, store.get(patch.sub ?? '')?.identities);
    }
    const outcome = store.upsert(patch, config.migrationMode, now);
    if (isRejection(outcome)) return failed(outcome.message);
    if (outcome.status === 'CREATED') stats.created++;
    else stats.updated++;
    return { sub: outcome.sub, identifier, status: outcome.status };
  });
  return bulkAnswer(states, variant);
}

/**
 * The memberships a bulk user ends with, by the tenant variant: a group the tenant lacks fails the
 * user (`unknownGroup: fail`) or is dropped; the list replaces the stored ones (`groupUpdate:
 * replace`), is added to them (`add`), or replaces them unless it is empty (`ignore-empty`: an empty
 * list changes nothing). A string is the failure message.
 */
function memberships(given: readonly GroupMembership[], stored: readonly GroupMembership[] | undefined, state: EmulatorState): readonly GroupMembership[] | string {
  const { variant } = state.config;
  const unknown = given.filter((g) => !state.setup.groups.has(g.groupId));
  if (unknown.length > 0 && variant.unknownGroup === 'fail') return `group "${unknown[0]!.groupId}" does not exist`;
  const kept = unknown.length > 0 ? given.filter((g) => state.setup.groups.has(g.groupId)) : given;
  if (variant.groupUpdate === 'replace' || !stored) return kept;
  if (variant.groupUpdate === 'ignore-empty') return given.length === 0 ? stored : kept;
  const byId = new Map(stored.map((g) => [g.groupId, g] as const));
  for (const g of kept) byId.set(g.groupId, g);
  return Object.freeze([...byId.keys()].sort().map((id) => byId.get(id)!));
}

/** `identityUpdate: add`: the links sent added to the stored ones (one per pair, sorted as the parser sorts them). */
function addedIdentities(given: readonly SocialIdentity[], stored: readonly SocialIdentity[] | undefined): readonly SocialIdentity[] {
  if (!stored || stored.length === 0) return given;
  const byPair = new Map([...stored, ...given].map((i) => [`${i.provider}\n${i.providerUserId}`, i] as const));
  return Object.freeze([...byPair.keys()].sort().map((k) => byPair.get(k)!));
}

/** A social provider (by its name or provider_name) or custom provider (by provider_name) the tenant has and has not disabled. */
function hasEnabledProvider(state: EmulatorState, name: string): boolean {
  const social = [...state.setup.social.values()].some((p) => (p['name'] === name || p['provider_name'] === name) && p['enabled'] !== false);
  return social || [...state.setup.custom.values()].some((p) => p['provider_name'] === name && p['enabled'] !== false);
}

/** The 200 answer in the tenant's shape: envelope, state field name, order (tenant-variant.ts). */
function bulkAnswer(states: readonly ProcessState[], variant: EmulatorState['config']['variant']): Reply {
  const order = variant.bulkOrder === 'shuffled' ? shuffledOrder(states.length) : states.map((_, i) => i);
  const entries = order.map((i) => {
    const { status, ...rest } = states[i]!;
    return { ...rest, [variant.bulkStateField]: status };
  });
  return variant.bulkEnvelope === 'bare' ? { status: 200, body: { process_states: entries } } : success(200, { process_states: entries });
}
