/**
 * The engine-only half of pg.dirty_memory, in a process of its own (run with --expose-gc): a
 * FakeSource delivers one update of each of `users` shop users (argv[2]); the translator and the
 * SyncEngine mark them dirty exactly as SyncRunner's handler does, and nothing is dispatched, so
 * they all stay dirty. Reports over IPC the heap those dirty users hold and the process's RSS.
 */
import { loadConfig } from '../../config/load-config.js';
import { watchedTables } from '../../src/app/pipeline-tables.js';
import type { SourceHandler } from '../../src/source.js';
import { SyncEngine } from '../../src/sync-engine.js';
import { Translator } from '../../src/translator.js';
import { writeShopConfig } from '../../test/support/test-config.js';
import { FakeSource, syntheticUserUpdates } from '../fake-source.js';
import { BENCH_CLIENT } from './bench-sidecar.js';
import { processMemory } from './process-memory.js';

const users = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

// The shop configuration the PostgreSQL benches use; nothing connects to these URLs.
const file = await writeShopConfig({
  kind: 'postgres', sourceUrl: 'postgres://bench@127.0.0.1:1/none', emulatorUrl: 'http://127.0.0.1:1', ...BENCH_CLIENT,
  extra: { engine: { maxDirtyUsers: Math.max(100, users + 1000) } },
});
const config = await loadConfig(file.path);
await file.remove();

const translator = new Translator(watchedTables(config));
const source = new FakeSource({ transactions: syntheticUserUpdates({ users, perTransaction: 1000 }) });
const engine = new SyncEngine({
  maxDirtyUsers: config.engine.maxDirtyUsers, comparePositions: (a, b) => source.comparePositions(a, b), checkpoint: null,
  quietMs: config.engine.flushIntervalMs, maxDelayMs: config.engine.maxDelayMs,
});
// SyncRunner's handler, minus metrics and the checkpoint (nothing is pushed, so nothing moves).
const handler: SourceHandler = {
  begin: async () => engine.begin(),
  change: async (change) => {
    const t = translator.translate(change);
    if ('marks' in t) {
      engine.mark(t.marks);
      await engine.waitForRoom();
    }
  },
  truncate: async () => { throw new Error('no truncates in this bench'); },
  commit: async (tx) => engine.commit(tx.position),
  abort: async () => engine.abort(),
  idle: async (position) => engine.idle(position),
};

const baseline = heapMb();
const started = performance.now();
await source.start(null, handler, (err) => { throw err; });
await source.finished;
const markMs = performance.now() - started;
const heap = heapMb();
const memory = processMemory(process.pid);
process.send!({
  dirtyUsers: engine.dirtyCount,
  baselineHeapMb: baseline,
  heapMb: heap,
  rssMb: memory.rssMb,
  peakRssMb: memory.peakRssMb,
  markMs,
});
process.disconnect();
