import type { CidaasUserRecord } from '../cidaas/cidaas-user.js';
import type { LegacyReader } from '../legacy-reader.js';
import type { StateStore } from '../state/state-store.js';
import type { MappedUser, UserMapper } from '../user-mapper.js';
import type { CidaasUserLookup } from './cidaas-user-lookup.js';
import { planPush } from '../dispatch/push-plan.js';
import { compareUser, type CompareOptions } from './compare-user.js';
import type { UserVerdict } from './verify-findings.js';
import { needsTotpEnrolment, strandedTotp } from '../cidaas/cidaas-compat.js';

/** What cidaas-sync does in cidaas with a user deleted in legacy (`cidaas.onDelete`), and so what verify expects there. */
export type OnDeleteMode = 'purge' | 'lock' | 'ignore';

/** Everything {@link checkUsers} reads through. */
export interface CheckContext {
  readonly reader: LegacyReader;
  readonly mapper: UserMapper;
  readonly store: StateStore;
  readonly lookup: CidaasUserLookup;
  readonly compare: CompareOptions;
  readonly onDelete: OnDeleteMode;
}

/** Options of {@link checkUsers}. */
export interface CheckUsersOptions {
  /** Only keys whose legacy row is gone are judged; the others come back as `live`. */
  readonly orphansOnly?: boolean;
  /** Read cidaas with GET by sub only (the recheck). */
  readonly authoritative?: boolean;
  /**
   * Keys listed from the legacy users table: one whose read by key finds no row is a finding
   * (the key does not round-trip to the column), never a deleted user that is equal.
   */
  readonly listed?: (key: string) => boolean;
}

/** The reason given for a listed key that its read does not find. */
export const UNREADABLE_KEY_REASON = 'listed in the legacy users table, but reading the user by this key finds no row (the key does not match the key column; see `cidaas-sync check`)';

/** `delete` is "must be absent" for purge, "absent or LOCKED" for lock, and not checked for ignore. */
function deletedIsPresent(record: CidaasUserRecord | null | undefined, onDelete: OnDeleteMode): boolean {
  if (!record) return false;
  return onDelete === 'lock' ? record.userStatus !== 'LOCKED' : true;
}

/**
 * Judges a batch of legacy keys: reads their current legacy rows (one query per table, as the
 * push does), maps them with the push's own mapper, reads their stored state and their cidaas
 * users, and compares. One verdict per key, in the order given.
 */
export async function checkUsers(ctx: CheckContext, keys: readonly string[], o: CheckUsersOptions = {}): Promise<UserVerdict[]> {
  const rows = await ctx.reader.readUsers(keys);
  const judged = o.orphansOnly ? keys.filter((k) => rows.get(k)?.user === null) : keys;
  const states = await ctx.store.getUserStates(judged);

  const mapped = new Map<string, MappedUser>();
  for (const key of judged) {
    const r = rows.get(key)!;
    try {
      mapped.set(key, await ctx.mapper.map(r));
    } catch (err) {
      mapped.set(key, { kind: 'invalid', sub: ctx.mapper.subOf(key), reason: `mapping failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  const subs = new Set<string>();
  for (const key of judged) {
    const m = mapped.get(key)!;
    if (m.kind === 'upsert') subs.add(m.sub);
    else if (m.kind === 'delete' && ctx.onDelete !== 'ignore') {
      subs.add(m.sub);
      // The sub it was pushed as, should sub.prefix have changed since.
      const pushed = states.get(key)?.sub;
      if (pushed !== undefined) subs.add(pushed);
    }
  }
  const records = await ctx.lookup.read([...subs], o.authoritative);

  const judgedSet = new Set(judged);
  return keys.map((key): UserVerdict => {
    if (!judgedSet.has(key)) return { kind: 'live', key };
    const m = mapped.get(key)!;
    const state = states.get(key);
    switch (m.kind) {
      case 'skip':
        return { kind: 'skipped', key };
      case 'invalid':
        return { kind: 'unmappable', key, reason: m.reason };
      case 'delete': {
        if (m.reason === 'gone' && o.listed?.(key)) return { kind: 'unmappable', key, reason: UNREADABLE_KEY_REASON };
        if (ctx.onDelete === 'ignore') return { kind: 'equal', key };
        const present = deletedIsPresent(records.get(m.sub), ctx.onDelete)
          || (state !== undefined && state.sub !== m.sub && deletedIsPresent(records.get(state.sub), ctx.onDelete));
        return present ? { kind: 'deleted-present', key } : { kind: 'equal', key };
      }
      case 'upsert': {
        const record = records.get(m.sub);
        if (!record) return { kind: 'missing', key };
        // The push's own plan: what cidaas must hold given the last push (revocations, cleared groups).
        const plan = planPush(m.user, m.groups, state, { onRevoked: ctx.compare.onRevoked ?? 'scramble', fingerprintKey: ctx.store.fingerprintKey() });
        const groups = compareUser(plan.expected, record, state, ctx.compare, plan.fingerprints, plan.groups);
        // cidaas.compat.totpImport flag-only: the user had an authenticator cidaas did not get.
        const reenrol = needsTotpEnrolment(m.user) ? { totpReenrol: true } : {};
        // A TOTP removal the tenant did not carry out (cidaas.compat.totpRemoval): a difference (mfa) an admin must fix in cidaas.
        const stranded = strandedTotp(plan.expected, record) ? { totpStranded: true } : {};
        return groups.length ? { kind: 'differing', key, sub: m.sub, groups, ...reenrol, ...stranded } : { kind: 'equal', key, ...reenrol };
      }
    }
  });
}
