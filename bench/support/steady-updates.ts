import mysql from 'mysql2/promise';
import pg from 'pg';
import type { BenchKind } from './bench-source.js';

/** One committed update as the load generator saw it. */
export interface SentUpdate {
  readonly id: number;
  readonly value: string;
  /** performance.now() when the statement was sent (the commit happens after). */
  readonly sentAt: number;
}

/** What a steady run did. */
export interface SteadyRun {
  readonly committed: number;
  /** From the first send to the last commit acknowledged, ms. */
  readonly ms: number;
  /** Updates due that could not be sent on time (all connections busy), at the worst moment. */
  readonly maxBacklog: number;
}

/** One connection of the load generator: runs the update of one user's first name. */
interface Updater {
  update(id: number, value: string): Promise<void>;
  end(): Promise<void>;
}

async function updater(kind: BenchKind, url: string): Promise<Updater> {
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return { update: async (id, value) => { await c.query('UPDATE users SET first_name = $1 WHERE id = $2', [value, id]); }, end: () => c.end() };
  }
  const c = await mysql.createConnection({ uri: url });
  return { update: async (id, value) => { await c.query('UPDATE users SET first_name = ? WHERE id = ?', [value, id]); }, end: () => c.end() };
}

/**
 * Commits single-row updates (`UPDATE users SET first_name = ? WHERE id = ?`, each its own
 * transaction) of `ids`, one user after the other, at a steady `perSecond` for `seconds`, over
 * `connections` connections. `onSend` is called just before each statement goes out.
 */
export async function steadyUpdates(kind: BenchKind, o: {
  url: string;
  ids: readonly number[];
  perSecond: number;
  seconds: number;
  tag: string;
  connections?: number;
  onSend: (u: SentUpdate) => void;
}): Promise<SteadyRun> {
  const total = Math.round(o.perSecond * o.seconds);
  if (total > o.ids.length) throw new Error(`${total} updates of distinct users need ${total} users, not ${o.ids.length}`);
  const clients = await Promise.all(Array.from({ length: o.connections ?? 8 }, () => updater(kind, o.url)));
  try {
    let due = 0;
    let sent = 0;
    let committed = 0;
    let maxBacklog = 0;
    let wake: (() => void) | null = null;
    const started = performance.now();
    let lastCommit = started;
    const ticker = setInterval(() => {
      due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * o.perSecond));
      maxBacklog = Math.max(maxBacklog, due - sent);
      const w = wake;
      wake = null;
      w?.();
    }, 2);
    const worker = async (c: Updater): Promise<void> => {
      for (;;) {
        if (sent >= total) return;
        if (sent >= due) {
          await new Promise<void>((resolve) => {
            const prev = wake;
            wake = () => { prev?.(); resolve(); };
          });
          continue;
        }
        const n = sent++;
        const id = o.ids[n]!;
        const value = `${o.tag}-${n}`;
        o.onSend({ id, value, sentAt: performance.now() });
        await c.update(id, value);
        committed += 1;
        lastCommit = performance.now();
      }
    };
    try {
      await Promise.all(clients.map(worker));
    } finally {
      clearInterval(ticker);
    }
    return { committed, ms: lastCommit - started, maxBacklog };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
