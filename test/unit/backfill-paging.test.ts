import { expect } from 'chai';
import { runBackfill } from '../../src/backfill.js';
import { DispatchGovernor } from '../../src/dispatch/dispatch-governor.js';
import type { Dispatcher, DispatchItem } from '../../src/dispatch/dispatcher.js';
import { SyncError } from '../../src/errors.js';
import type { LegacyReader } from '../../src/legacy-reader.js';
import { MemoryLogger } from '../../src/observability/logger.js';
import { SyncMetrics } from '../../src/observability/metrics.js';
import type { BackfillProgress, StateStore } from '../../src/state/state-store.js';

/** Pages keys 1..n, but `after` is ignored from `stuckAfter` on: what a key that does not round-trip did. */
function reader(n: number, stuckAfter: number | null): LegacyReader {
  const keys = Array.from({ length: n }, (_, i) => String(i + 1));
  return {
    readUsers: () => Promise.reject(new Error('not used')),
    pageKeys: async (after, limit) => {
      const from = after === null || (stuckAfter !== null && Number(after) >= stuckAfter) ? 0 : keys.indexOf(after) + 1;
      return keys.slice(from, from + limit);
    },
    estimateUserCount: async () => n,
    close: async () => undefined,
  };
}

async function backfill(r: LegacyReader): Promise<{ result: BackfillProgress | null; error: unknown; pushed: string[] }> {
  const pushed: string[] = [];
  const dispatcher = {
    // As Dispatcher.readPage does for a reader without readPage: keys only, rows read by process().
    readPage: async (after: string | null, limit: number) => new Map((await r.pageKeys(after, limit)).map((k) => [k, null])),
    readStates: async () => ({ states: new Map(), dead: new Map() }),
    warmUp: async () => undefined,
    // The backfill plans a batch, then sends it under a governor slot (Dispatcher.prepare / send).
    prepare: async (items: DispatchItem[]) => ({ items, calls: 1 }),
    send: async ({ items }: { items: DispatchItem[] }) => {
      pushed.push(...items.map((i) => i.key));
      return new Map(items.map((i) => [i.key, { status: 'done' }]));
    },
  } as unknown as Dispatcher;
  const store = { saveBackfill: async () => undefined } as unknown as StateStore;
  const start: BackfillProgress = { status: 'running', startPosition: '0', lastKey: null, usersDone: 0, usersTotal: null, startedAt: new Date(), finishedAt: null };
  try {
    const result = await runBackfill({
      reader: r, dispatcher, governor: new DispatchGovernor({ maxConcurrency: 2 }), store, logger: new MemoryLogger(),
      metrics: new SyncMetrics(), batchSize: 3, signal: { aborted: false },
    }, start);
    return { result, error: null, pushed };
  } catch (error) {
    return { result: null, error, pushed };
  }
}

describe('backfill paging', () => {
  it('walks every key once when pages advance', async () => {
    const r = await backfill(reader(10, null));
    expect(r.error).to.equal(null);
    expect(r.result?.usersDone).to.equal(10);
    expect(r.pushed).to.have.members(Array.from({ length: 10 }, (_, i) => String(i + 1)));
  });

  it('stops with SOURCE_KEY_UNSUPPORTED instead of re-reading one page forever (#20)', async () => {
    const r = await backfill(reader(10, 3));
    expect(r.error).to.be.instanceOf(SyncError);
    expect((r.error as SyncError).code).to.equal('SOURCE_KEY_UNSUPPORTED');
    expect((r.error as SyncError).message).to.contain('did not advance');
    expect(r.pushed.length).to.be.at.most(6);
  });
});
