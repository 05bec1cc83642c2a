import { z } from 'zod';
import type { CidaasUser } from './cidaas-user.js';

/** What cidaas did with one user of a bulk call. */
export type BulkStatus = 'CREATED' | 'UPDATED' | 'FAILED';

/**
 * The outcome of one user of {@link CidaasClient.bulkUpsert}: one per input user, in
 * input order. `sub` is always the input's sub (cidaas answers `ANONYMOUS` for a FAILED
 * user).
 */
export interface BulkOutcome {
  sub: string;
  status: BulkStatus;
  /** cidaas's reason for a FAILED user; absent otherwise. Never contains the user's secrets. */
  message?: string;
  /**
   * For FAILED: true when sending the same user again cannot succeed, so it belongs in
   * the dead-letter list; false when a later retry may succeed. Always false for
   * CREATED and UPDATED. Decided by {@link isPermanentFailure}.
   */
  permanent: boolean;
}

/**
 * Transient or permanent, for a user cidaas refused: the one place this is decided.
 *
 * cidaas answers FAILED for what is wrong with the user itself (invalid email, email
 * already used by another sub, unsupported algorithmTypeId, a password overwrite outside
 * migrationMode, unknown custom field): resending the same data gives the same answer,
 * so FAILED is permanent (the user goes to the dead-letter list; `dlq retry` after a fix).
 * The exception is a message that itself says the failure was passing (timeouts, "try
 * again", service unavailable): those users stay dirty and are retried.
 */
export function isPermanentFailure(message: string | undefined): boolean {
  if (message === undefined) return true;
  return !/\b(time[ -]?out|timed out|temporar(y|ily)|try again|unavailable|rate limit|too many requests)\b/i.test(message);
}

/** The per-user state field names a tenant may use (docs/cidaas-api.md, "What a tenant may do differently"): the only place that reads them. */
export const STATE_FIELDS = ['status', 'state', 'process_state'] as const;

/** How a tenant shaped a bulk answer, as {@link readProcessStates} found it (for `canary` and the debug log). */
export interface BulkAnswerShape {
  /** `data`: `{"success", "status", "data": {"process_states"}}`; `bare`: `{"process_states"}` at the top level. */
  readonly envelope: 'data' | 'bare';
  /** The field that held CREATED / UPDATED / FAILED (of the first entry). */
  readonly stateField: (typeof STATE_FIELDS)[number] | undefined;
  /** `input` when every entry sat at its input's position, else `other`. */
  readonly order: 'input' | 'other';
}

type Entry = Record<string, unknown>;
const entries = z.array(z.record(z.string(), z.unknown()));

function processStatus(entry: Entry): { value: unknown; field: BulkAnswerShape['stateField'] } {
  for (const field of STATE_FIELDS) if (entry[field] !== undefined) return { value: entry[field], field };
  return { value: undefined, field: undefined };
}

/** `process_states` from either envelope; undefined when neither fits. */
function findProcessStates(body: unknown): { states: Entry[]; envelope: BulkAnswerShape['envelope'] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Entry;
  const data = b.data;
  if (typeof data === 'object' && data !== null) {
    const inner = entries.safeParse((data as Entry).process_states);
    if (inner.success) return { states: inner.data, envelope: 'data' };
  }
  const bare = entries.safeParse(b.process_states);
  return bare.success ? { states: bare.data, envelope: 'bare' } : undefined;
}

const IDENTIFIERS = [['email', ['email']], ['username', ['username']], ['mobile_number', ['mobile_number', 'mobile']]] as const;

function identifierValue(entry: Entry, names: readonly string[]): string | undefined {
  const id = entry.identifier;
  const sources = typeof id === 'object' && id !== null ? [id as Entry] : [];
  for (const src of sources) for (const n of names) if (typeof src[n] === 'string') return (src[n] as string).toLowerCase();
  return undefined;
}

/**
 * Which input user each process state belongs to: by `sub` (FAILED entries carry
 * `ANONYMOUS`), then by identifier (email, then username, then mobile number, each only
 * where it names exactly one unmatched input), then by position (entry i to input i,
 * when both are still unmatched). Returns the input index per entry, or a description of
 * what could not be matched: the caller fails the batch, it never guesses.
 */
export function matchProcessStates(states: readonly Entry[], batch: readonly CidaasUser[]): number[] | string {
  if (states.length !== batch.length) return `it holds ${states.length} process states for ${batch.length} users`;
  const owner: (number | undefined)[] = states.map(() => undefined);
  const taken = new Set<number>();
  const bySub = new Map<string, number[]>();
  batch.forEach((u, i) => bySub.set(u.sub, [...(bySub.get(u.sub) ?? []), i]));
  states.forEach((e, k) => {
    const at = typeof e.sub === 'string' && e.sub !== 'ANONYMOUS' ? bySub.get(e.sub) : undefined;
    const free = at?.find((i) => !taken.has(i));
    if (free !== undefined) { owner[k] = free; taken.add(free); }
  });
  for (const [field, names] of IDENTIFIERS) {
    const byValue = new Map<string, number[]>();
    batch.forEach((u, i) => {
      const v = u[field];
      if (!taken.has(i) && typeof v === 'string') byValue.set(v.toLowerCase(), [...(byValue.get(v.toLowerCase()) ?? []), i]);
    });
    states.forEach((e, k) => {
      if (owner[k] !== undefined) return;
      const v = identifierValue(e, names);
      const candidates = v === undefined ? undefined : byValue.get(v)?.filter((i) => !taken.has(i));
      if (candidates?.length === 1) { owner[k] = candidates[0]; taken.add(candidates[0]!); }
    });
  }
  states.forEach((_, k) => {
    if (owner[k] === undefined && !taken.has(k)) { owner[k] = k; taken.add(k); }
  });
  const lost = owner.findIndex((o) => o === undefined);
  if (lost >= 0) return `process state ${lost} matches no user of the batch by sub, identifier or position`;
  return owner as number[];
}

/**
 * Turns a 200 bulk response into one outcome per input user, in input order, matched
 * with {@link matchProcessStates}; both envelopes and the three state field names are
 * read. Returns a description of what is wrong instead when the body does not fit (the
 * caller raises CIDAAS_PROTOCOL and the batch fails loudly).
 */
export function readProcessStates(body: unknown, batch: readonly CidaasUser[]): { outcomes: BulkOutcome[]; shape: BulkAnswerShape } | string {
  const found = findProcessStates(body);
  if (!found) return 'the body has no process_states array (neither data.process_states nor process_states)';
  const { states, envelope } = found;
  const owners = matchProcessStates(states, batch);
  if (typeof owners === 'string') return owners;
  const outcomes: (BulkOutcome | undefined)[] = batch.map(() => undefined);
  let stateField: BulkAnswerShape['stateField'];
  for (const [k, entry] of states.entries()) {
    const i = owners[k]!;
    const user = batch[i]!;
    const { value: status, field } = processStatus(entry);
    stateField ??= field;
    if (status === 'CREATED' || status === 'UPDATED') {
      outcomes[i] = { sub: user.sub, status, permanent: false };
    } else if (status === 'FAILED') {
      const message = typeof entry.message === 'string' ? scrubUserSecrets(entry.message, user) : 'cidaas gave no reason';
      outcomes[i] = { sub: user.sub, status, message, permanent: isPermanentFailure(message) };
    } else {
      return `process state ${k} has ${STATE_FIELDS.join('/')} ${JSON.stringify(status)}, not CREATED, UPDATED or FAILED`;
    }
  }
  return { outcomes: outcomes as BulkOutcome[], shape: { envelope, stateField, order: owners.every((o, k) => o === k) ? 'input' : 'other' } };
}

/** The outcome for a user cidaas refused together with its whole (one-user) batch. */
export function rejectedAlone(user: CidaasUser, message: string): BulkOutcome {
  return { sub: user.sub, status: 'FAILED', message: scrubUserSecrets(message, user), permanent: true };
}

/** Removes the user's password hash and TOTP secret from a message cidaas wrote, should cidaas ever echo them. */
function scrubUserSecrets(message: string, user: CidaasUser): string {
  let out = message;
  for (const s of [user.password_hash_info?.passwordHash, user.mfa?.totp?.secret]) {
    const value = s?.reveal();
    if (value) out = out.split(value).join('[redacted]');
  }
  return out;
}
