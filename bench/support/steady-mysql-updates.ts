import mysql from 'mysql2/promise';
import type { SentUpdate, SteadyRun } from './steady-updates.js';

/**
 * steady-updates.ts on MariaDB: commits single-row updates (`UPDATE users SET first_name = ? WHERE
 * id = ?`, each its own transaction) of `ids`, one user after the other, at a steady `perSecond`
 * for `seconds`, over `connections` connections. `onSend` is called just before each statement goes out.
 */
export async function steadyMysqlUpdates(o: {
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
  const clients = await Promise.all(Array.from({ length: o.connections ?? 8 }, () => mysql.createConnection({ uri: o.url })));
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
    const worker = async (c: mysql.Connection): Promise<void> => {
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
        await c.query('UPDATE users SET first_name = ? WHERE id = ?', [value, id]);
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
