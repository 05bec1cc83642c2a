import type ZongJi from '@vlasky/zongji';

/** The events the adapter asks zongji for (row events for the configured tables only, through `includeSchema`). */
export const ZONGJI_EVENTS = [
  'rotate', 'heartbeat', 'mariadbgtid', 'gtid', 'anonymousgtid', 'query', 'xid', 'xaprepare', 'tablemap', 'writerows', 'updaterows', 'deleterows',
];

/** zongji 0.9.0's internal column lookup (pinned version). */
interface ZongJiInternals {
  _fetchTableInfo(event: unknown, next: () => void): void;
}

/**
 * Reports each information_schema column lookup of `z` as +1 when it starts and -1 when it ends.
 * zongji pauses the socket itself during one (for tables without self-describing binlog metadata)
 * and resumes it afterwards; the adapter must not resume in between.
 */
export function countTableLookups(z: ZongJi, count: (delta: number) => void): void {
  const internals = z as unknown as ZongJiInternals;
  const lookup = internals._fetchTableInfo.bind(z);
  internals._fetchTableInfo = (event, next) => {
    count(1);
    lookup(event, () => {
      count(-1);
      next();
    });
  };
}

const stopping = new WeakMap<ZongJi, Promise<void>>();

/** zongji.stop() kills the dump thread through its control connection; wait for it (bounded), once per instance. */
export function stopZongji(z: ZongJi): Promise<void> {
  let p = stopping.get(z);
  if (!p) {
    p = new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      z.once('stopped', () => {
        clearTimeout(timer);
        resolve();
      });
      // Teardown noise from the connections being destroyed.
      z.on('error', () => undefined);
      z.stop();
    });
    stopping.set(z, p);
  }
  return p;
}
