import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { openStateStore } from '../../src/state/open-state-store.js';
import type { StateStore } from '../../src/state/state-store.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';
import { at, pushed, rejection } from './fixtures/outcomes.js';
import { betterSqlitePath, openRawSqlite } from './fixtures/raw-sqlite.js';
import { sqlitePath, sqliteTarget } from './fixtures/state-store-targets.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readerScript = path.join(repoRoot, 'test/integration/fixtures/state-store-reader.ts');

/** Holds SQLite's write lock from another connection (a worker thread) until told to let go. */
const lockHolder = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.lib);
const db = new Database(workerData.file);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO cidaas_sync_meta (name, value) VALUES ('held', 'uncommitted')").run();
parentPort.postMessage('locked');
parentPort.once('message', () => { db.exec('ROLLBACK'); db.close(); parentPort.postMessage('released'); });
`;

/** Makes a file unwritable even for root (immutable attribute), or by mode for others. Returns the undo. */
async function makeReadOnly(file: string): Promise<(() => Promise<void>) | null> {
  if (process.getuid?.() === 0) {
    try {
      execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    } catch {
      return null;
    }
    return async () => {
      execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    };
  }
  await chmod(file, 0o444);
  return () => chmod(file, 0o644);
}

describe('state store on SQLite: files and processes', function () {
  let place: { url: string; drop(): Promise<void> };
  const opened: StateStore[] = [];

  async function open(busyTimeoutMs?: number): Promise<StateStore> {
    const s = await openStateStore(place.url, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
    opened.push(s);
    return s;
  }

  beforeEach(async function () {
    place = await sqliteTarget.create();
  });

  afterEach(async function () {
    for (const s of opened.splice(0)) await s.close();
    await place.drop();
  });

  it('creates the parent directories and keeps the file in WAL mode', async function () {
    const store = await open();
    await store.saveCheckpoint('pos-1');
    const raw = openRawSqlite(sqlitePath(place.url));
    try {
      expect(raw.pragma('journal_mode', { simple: true })).to.equal('wal');
    } finally {
      raw.close();
    }
  });

  it('works in memory', async function () {
    const store = await openStateStore('sqlite::memory:');
    try {
      await store.recordOutcomes([pushed('1')], 'pos-1');
      expect((await store.getCheckpoint())?.position).to.equal('pos-1');
    } finally {
      await store.close();
    }
  });

  it('lets a second store on the same file read while another connection holds the write lock', async function () {
    const writer = await open(100);
    const reader = await open(100);
    await writer.recordOutcomes([pushed('1', at(1))], 'pos-1');
    expect((await reader.getCheckpoint())?.position).to.equal('pos-1');

    const worker = new Worker(lockHolder, { eval: true, workerData: { lib: betterSqlitePath, file: sqlitePath(place.url) } });
    try {
      expect((await once(worker, 'message'))[0]).to.equal('locked');
      // Readers see the last commit, never wait, never see the uncommitted row.
      expect((await reader.getCheckpoint())?.position).to.equal('pos-1');
      expect(await reader.getMeta('held')).to.equal(null);
      expect((await reader.getUserStates(['1'])).size).to.equal(1);
      // A writer waits out its busy timeout, then fails as transient.
      const err = await rejection(writer.recordOutcomes([pushed('2')], 'pos-2'));
      expect(err.code).to.equal('STATE_STORE');
      expect(err.transient).to.equal(true);
      expect(err.message).to.contain('locked by another process');
      worker.postMessage('release');
      expect((await once(worker, 'message'))[0]).to.equal('released');
      await writer.recordOutcomes([pushed('2')], 'pos-2');
      expect((await reader.getCheckpoint())?.position).to.equal('pos-2');
    } finally {
      await worker.terminate();
    }
  });

  it('waits for another process\'s write lock with the event loop free, and writes once it is released (#15)', async function () {
    const writer = await open(20_000);
    await writer.recordOutcomes([pushed('1', at(1))], 'pos-1');
    const worker = new Worker(lockHolder, { eval: true, workerData: { lib: betterSqlitePath, file: sqlitePath(place.url) } });
    try {
      expect((await once(worker, 'message'))[0]).to.equal('locked');
      let settled = false;
      const write = writer.recordOutcomes([pushed('2')], 'pos-2').finally(() => { settled = true; });
      // Timers keep firing while the write waits: better-sqlite3's synchronous busy wait would
      // hold the event loop until the write gave up, and the write would have failed by then.
      let ticks = 0;
      await waitFor(() => ++ticks >= 20, { intervalMs: 10, message: 'timers firing while the write waits' });
      expect(settled, 'the write ended while the lock was held').to.equal(false);
      worker.postMessage('release');
      expect((await once(worker, 'message'))[0]).to.equal('released');
      await write;
      expect((await writer.getCheckpoint())?.position).to.equal('pos-2');
    } finally {
      await worker.terminate();
    }
  });

  it('lets `status` in another process open and read the file while this one writes batches', async function () {
    const store = await open();
    await store.recordOutcomes([pushed('u0')], '0');
    const child = spawn(process.execPath, ['--import', 'tsx', readerScript, place.url], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    let exited = false;
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = true; resolve(code); }));
    let batch = 1;
    while (!exited) {
      await store.recordOutcomes([pushed(`u${batch}`)], String(batch));
      batch += 1;
      // Let the child's exit event through: the synchronous driver never yields to I/O.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(await exit, stderr).to.equal(0);
    const seen = JSON.parse(stdout) as { position: string; users: { live: number; deleted: number } };
    const position = Number(seen.position);
    expect(position).to.be.within(0, batch - 1);
    expect(seen.users.live).to.be.at.least(position + 1);
  });

  it('fails to open a read-only file with a STATE_STORE error that says to make it writable', async function () {
    const store = await open();
    await store.saveCheckpoint('pos-1');
    await store.close();
    const file = sqlitePath(place.url);
    const undo = await makeReadOnly(file);
    if (undo === null) this.skip();
    try {
      const err = await rejection(openStateStore(place.url));
      expect(err.code).to.equal('STATE_STORE');
      expect(err.transient).to.equal(false);
      expect(err.message).to.contain(`the state store at ${file} is read-only`);
      expect(err.hint).to.contain('make it writable');
    } finally {
      await undo?.();
    }
  });

  it('refuses a store migrated by a newer cidaas-sync', async function () {
    const store = await open();
    await store.close();
    await sqliteTarget.query(place.url, `INSERT INTO cidaas_sync_migrations (timestamp, name) VALUES (9999999999999, 'FromTheFuture9999999999999')`);
    const err = await rejection(openStateStore(place.url));
    expect(err.message).to.contain('newer cidaas-sync').and.to.contain('FromTheFuture9999999999999');
  });
});

describe('state store errors', function () {
  for (const scheme of ['postgres', 'mariadb']) {
    it(`names an unreachable ${scheme} store by its masked URL and calls the failure transient`, async function () {
      const port = await freePort();
      const err = await rejection(openStateStore(`${scheme}://sync:Pa55-w0rd-x@127.0.0.1:${port}/state`));
      expect(err.code).to.equal('STATE_STORE');
      expect(err.transient).to.equal(true);
      expect(err.message).to.contain(`${scheme}://sync:***@127.0.0.1:${port}/state`);
      expect(`${err.describe()} ${String(err.stack)}`).not.to.contain('Pa55-w0rd-x');
    });
  }

  it('rejects a state URL it does not know as a configuration error, without its password', async function () {
    let failure: unknown;
    try {
      await openStateStore('mongodb://u:Pa55-w0rd-x@host/db');
    } catch (err) {
      failure = err;
    }
    expect(failure).to.have.property('code', 'CONFIG_INVALID');
    expect(String((failure as Error).message)).to.contain('unsupported scheme').and.not.to.contain('Pa55-w0rd-x');
  });
});
