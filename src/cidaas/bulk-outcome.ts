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

/**
 * **ASSUMED** (CIDAAS_API.md): the per-user state is in `status`; cidaas's pages also
 * show `state` and `process_state`. The only place that reads it.
 */
function processStatus(entry: Record<string, unknown>): unknown {
  return entry.status ?? entry.state ?? entry.process_state;
}

const bulkResponse = z.object({
  data: z.object({ process_states: z.array(z.record(z.string(), z.unknown())) }),
});

/**
 * Turns a 200 bulk response into one outcome per input user, matched by position.
 * Returns a description of what is wrong instead when the body does not fit (the caller
 * raises CIDAAS_PROTOCOL).
 */
export function readProcessStates(body: unknown, batch: readonly CidaasUser[]): BulkOutcome[] | string {
  const parsed = bulkResponse.safeParse(body);
  if (!parsed.success) return 'the body has no data.process_states array';
  const states = parsed.data.data.process_states;
  if (states.length !== batch.length) return `it holds ${states.length} process states for ${batch.length} users`;
  const outcomes: BulkOutcome[] = [];
  for (const [i, user] of batch.entries()) {
    const entry = states[i] ?? {};
    const status = processStatus(entry);
    if (status === 'CREATED' || status === 'UPDATED') {
      outcomes.push({ sub: user.sub, status, permanent: false });
    } else if (status === 'FAILED') {
      const message = typeof entry.message === 'string' ? scrubUserSecrets(entry.message, user) : 'cidaas gave no reason';
      outcomes.push({ sub: user.sub, status, message, permanent: isPermanentFailure(message) });
    } else {
      return `process state ${i} has status ${JSON.stringify(status)}, not CREATED, UPDATED or FAILED`;
    }
  }
  return outcomes;
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
