import type { StateStore } from '../state/state-store.js';

/** The kinds of dead-letter reason `status` and `/metrics` count by (a bounded label set). */
export type DeadLetterKind = 'password' | 'mfa' | 'identifier' | 'mapping-module' | 'limits' | 'cidaas-refused';

const KINDS: readonly [RegExp, DeadLetterKind][] = [
  [/^password:/, 'password'],
  [/^mfa:/, 'mfa'],
  [/^no identifier/, 'identifier'],
  [/^mapping (module|failed)/, 'mapping-module'],
  [/^(the legacy key is|the sub |field \S+ is \d+ characters|the entity )/, 'limits'],
];

/** The kind of a dead letter's reason; anything the sidecar did not write itself is cidaas's refusal. */
export function deadLetterKind(reason: string): DeadLetterKind {
  for (const [re, kind] of KINDS) if (re.test(reason)) return kind;
  return 'cidaas-refused';
}

/** Dead letters counted by kind, reading the list in pages (only kinds with entries appear). */
export async function countDeadLettersByKind(store: StateStore): Promise<Partial<Record<DeadLetterKind, number>>> {
  const counts: Partial<Record<DeadLetterKind, number>> = {};
  let afterKey: string | undefined;
  for (;;) {
    const page = await store.listDeadLetters({ limit: 10_000, ...(afterKey === undefined ? {} : { afterKey }) });
    for (const d of page) {
      const k = deadLetterKind(d.reason);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    if (page.length < 10_000) return counts;
    afterKey = page[page.length - 1]!.key;
  }
}

/** `3 password, 1 limits`, or '' for none. */
export function describeDeadLetterKinds(counts: Partial<Record<DeadLetterKind, number>>): string {
  return Object.entries(counts).sort(([, a], [, b]) => b - a).map(([k, n]) => `${n} ${k}`).join(', ');
}
