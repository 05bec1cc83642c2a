import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { StateStore } from '../state/state-store.js';

/** What a retry did for one user. */
export interface RetryResult {
  key: string;
  /** pushed / deleted: gone from the list; failed / not-done: still in it; removed: nothing to push, taken off the list; unknown: was not in the list. */
  outcome: 'pushed' | 'deleted' | 'removed' | 'failed' | 'not-done' | 'unknown';
  detail: string;
}

/** The keys in the dead-letter list, in key order: every one, or those whose reason is exactly `reason`. */
export async function deadLetterKeys(store: StateStore, reason?: string): Promise<string[]> {
  const keys: string[] = [];
  for (let after: string | undefined; ;) {
    const page = await store.listDeadLetters({ limit: 1000, ...(after === undefined ? {} : { afterKey: after }) });
    for (const d of page) if (reason === undefined || d.reason === reason) keys.push(d.key);
    if (page.length < 1000) return keys;
    after = page[page.length - 1]!.key;
  }
}

/**
 * Reads the given dead-lettered users now and pushes them through the dispatcher, batch by
 * batch; those that succeed leave the list. Used by `cidaas-sync dlq retry` and by the status
 * page's retry action, so both report the same outcomes. Results come back in the order given.
 */
export async function retryDeadLetters(p: { store: StateStore; dispatcher: Dispatcher }, keys: readonly string[], batchSize: number): Promise<RetryResult[]> {
  const wanted = [...new Set(keys)];
  const out: RetryResult[] = [];
  for (let i = 0; i < wanted.length; i += batchSize) {
    const batch = wanted.slice(i, i + batchSize);
    const before = await p.store.getDeadLetters(batch);
    for (const k of batch) if (!before.has(k)) out.push({ key: k, outcome: 'unknown', detail: 'not in the dead-letter list; nothing done' });
    const listed = batch.filter((k) => before.has(k));
    if (!listed.length) continue;
    const started = new Date();
    const done = await p.dispatcher.process(listed.map((key) => ({ key, expectations: [], attempts: 0 })), 'backfill');
    const [after, states] = await Promise.all([p.store.getDeadLetters(listed), p.store.getUserStates(listed)]);
    const stale: string[] = [];
    const removed = 'nothing to push now (the mapping skips it, or it is gone and was never in cidaas); taken off the list';
    for (const key of listed) {
      const dead = after.get(key);
      const state = states.get(key);
      if (done.get(key)?.status === 'retry') out.push({ key, outcome: 'not-done', detail: 'the legacy database or cidaas failed transiently; try again later' });
      else if (dead && dead.lastSeen >= started) out.push({ key, outcome: 'failed', detail: `failed again: ${dead.reason}` });
      else if (dead) {
        stale.push(key);
        out.push({ key, outcome: 'removed', detail: removed });
      } else if (state?.deleted) out.push({ key, outcome: 'deleted', detail: `deleted in cidaas (${state.sub})` });
      // The dispatcher took it off the list without a push.
      else if (!state || state.lastPushAt < started) out.push({ key, outcome: 'removed', detail: removed });
      else out.push({ key, outcome: 'pushed', detail: `pushed as ${state.sub}` });
    }
    if (stale.length) await p.store.removeDeadLetters(stale);
  }
  const order = new Map(wanted.map((k, i) => [k, i]));
  return out.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
}
