import { expect } from 'chai';
import { CidaasClient } from '../../../src/cidaas/cidaas-client.js';
import { rowDigest, rowIdentity } from '../../../src/digest/row-digest.js';
import type { RowExpectation } from '../../../src/digest/row-expectation.js';
import { Dispatcher, type DispatcherOptions, type DispatchItem } from '../../../src/dispatch/dispatcher.js';
import { startEmulator, type RunningEmulator } from '../../../tools/emulator/cidaas-emulator.js';
import type { LegacyReader, LegacyRow, LegacyRows } from '../../../src/legacy-reader.js';
import { MemoryLogger } from '../../../src/observability/logger.js';
import { SyncMetrics } from '../../../src/observability/metrics.js';
import { Secret } from '../../../src/secret.js';
import { openStateStore } from '../../../src/state/open-state-store.js';
import type { StateStore } from '../../../src/state/state-store.js';
import { UserMapper } from '../../../src/user-mapper.js';
import { minimalConfig, parse } from '../config/config-test-helpers.js';

/** A legacy database in memory: the users table only, rows by key; `failReads` makes the next read throw. */
class MemoryReader implements LegacyReader {
  readonly rows = new Map<string, LegacyRow>();
  failReads = 0;
  reads = 0;
  async readUsers(keys: readonly string[]): Promise<Map<string, LegacyRows>> {
    this.reads++;
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('connection reset by the legacy database');
    }
    return new Map(keys.map((key) => [key, { key, user: this.rows.get(key) ?? null, password: [], mfa: [], attributes: [] }]));
  }
  async pageKeys(): Promise<string[]> { return [...this.rows.keys()].sort(); }
  async estimateUserCount(): Promise<number> { return this.rows.size; }
  async close(): Promise<void> {}
}

interface Bench {
  readonly dispatcher: Dispatcher;
  readonly reader: MemoryReader;
  readonly emu: RunningEmulator;
  readonly store: StateStore;
  readonly metrics: SyncMetrics;
  readonly logger: MemoryLogger;
}

const CREDENTIALS = { clientId: 'dispatcher-test', clientSecret: 'dispatcher-test-secret' };

async function bench(options: Partial<Pick<DispatcherOptions, 'onDelete' | 'readRetryMs' | 'readRetryMaxMs'>> = {}, mapping?: (draft: unknown, legacy: { user: LegacyRow }) => unknown): Promise<Bench> {
  const emu = await startEmulator(CREDENTIALS);
  const logger = new MemoryLogger();
  const client = new CidaasClient({
    baseUrl: emu.url, clientId: CREDENTIALS.clientId, clientSecret: new Secret(CREDENTIALS.clientSecret), logger, connections: 2,
    retry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 5 }, allowEmulator: true,
  });
  const store = await openStateStore('sqlite::memory:', { logger });
  const c = minimalConfig();
  c['users'] = { table: 'users', key: 'id', fields: { email: 'email', given_name: 'first_name' } };
  const mapper = new UserMapper(await parse(c), mapping as never);
  const reader = new MemoryReader();
  const metrics = new SyncMetrics();
  const dispatcher = new Dispatcher({
    reader, mapper, client, store, logger, metrics, onDelete: 'purge', onRevoked: 'scramble', readRetryMs: 10, readRetryMaxMs: 25, ...options,
  });
  cleanups.push(async () => { await client.close(); await store.close(); await emu.close(); });
  return { dispatcher, reader, emu, store, metrics, logger };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const item = (key: string, more: Partial<DispatchItem> = {}): DispatchItem => ({ key, expectations: [], attempts: 0, ...more });
const row = (id: string, first = 'Ada'): LegacyRow => ({ id, email: `u${id}@example.com`, first_name: first });
async function counter(c: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> }, labels: Record<string, string> = {}): Promise<number> {
  const v = (await c.get()).values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}
/** What the log says the users row of `id` must show now. */
function expectRow(r: LegacyRow): RowExpectation {
  const columns = Object.keys(r);
  return { role: 'users', identityColumns: ['id'], identity: rowIdentity(r, ['id'])!, columns, digest: rowDigest(r, columns) };
}

describe('Dispatcher on its own: its decisions per user (#17)', () => {
  it('pushes a new user, stores its outcome, and suppresses the next push that would change nothing', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    const first = await b.dispatcher.process([item('1')], 'stream');
    expect(first.get('1')).to.deep.equal({ status: 'done', pushed: true });
    expect(b.emu.getUser('legacy-1')).to.include({ email: 'u1@example.com', given_name: 'Ada' });
    const state = (await b.store.getUserStates(['1'])).get('1');
    expect(state).to.include({ sub: 'legacy-1', deleted: false });
    expect(await counter(b.metrics.domainEvents, { type: 'user.created' })).to.equal(1);

    const calls = b.emu.stats().users;
    const again = await b.dispatcher.process([item('1')], 'stream');
    expect(again.get('1')).to.deep.equal({ status: 'done' });
    expect(b.emu.stats().users).to.deep.equal(calls);
    expect(await counter(b.metrics.suppressed)).to.equal(1);
  });

  it('pushes a changed group as user.updated and a forced user whatever its fingerprints', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    await b.dispatcher.process([item('1')], 'stream');
    b.reader.rows.set('1', row('1', 'Grace'));
    await b.dispatcher.process([item('1')], 'stream');
    expect(b.emu.getUser('legacy-1')).to.include({ given_name: 'Grace' });
    expect(await counter(b.metrics.domainEvents, { type: 'user.updated' })).to.equal(1);
    await b.dispatcher.process([item('1', { force: true })], 'stream');
    expect(await counter(b.metrics.domainEvents, { type: 'user.updated' })).to.equal(2);
    expect(await counter(b.metrics.suppressed)).to.equal(0);
  });

  it('retries a read older than the log with the read backoff, and pushes it once readRetryMaxMs is spent', async () => {
    const b = await bench({ readRetryMs: 10, readRetryMaxMs: 25 });
    b.reader.rows.set('1', row('1', 'Old'));
    const logged = [expectRow(row('1', 'New'))];
    const r0 = await b.dispatcher.process([item('1', { expectations: logged })], 'stream');
    expect(r0.get('1')).to.deep.equal({ status: 'retry', delayMs: 10, why: 'stale-read' });
    const r1 = await b.dispatcher.process([item('1', { expectations: logged, attempts: 1 })], 'stream');
    expect(r1.get('1')).to.deep.equal({ status: 'retry', delayMs: 20, why: 'stale-read' });
    expect(b.emu.getUser('legacy-1')).to.equal(undefined);
    // 10 + 20 ms spent >= 25: the read can only be newer than the log.
    const r2 = await b.dispatcher.process([item('1', { expectations: logged, attempts: 2 })], 'stream');
    expect(r2.get('1')).to.deep.equal({ status: 'done', pushed: true });
    expect(b.emu.getUser('legacy-1')).to.include({ given_name: 'Old' });
    expect(await counter(b.metrics.staleReads)).to.equal(2);
    expect(b.logger.lines.some((l) => l.message.startsWith('the read kept disagreeing'))).to.equal(true);
  });

  it('retries the whole batch with the transient backoff when the legacy read fails', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    b.reader.failReads = 1;
    const r = await b.dispatcher.process([item('1', { attempts: 2 }), item('2')], 'stream');
    expect(r.get('1')).to.deep.equal({ status: 'retry', delayMs: 1000, why: 'transient' });
    expect(r.get('2')).to.deep.equal({ status: 'retry', delayMs: 1000, why: 'transient' });
  });

  it('retries the users of a failing cidaas call with the push backoff, and stores nothing for them', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    b.emu.addFaults([{ path: '/users-srv/user/bulk', status: 503, times: 5 }]);
    const r = await b.dispatcher.process([item('1', { attempts: 1 })], 'stream');
    expect(r.get('1')).to.deep.equal({ status: 'retry', delayMs: 2000, why: 'transient' });
    expect((await b.store.getUserStates(['1'])).size).to.equal(0);
  });

  it('dead-letters a user whose mapping throws, without failing the others of its batch', async () => {
    const b = await bench({}, (draft, legacy) => {
      if (legacy.user['id'] === '1') throw new Error('module bug');
      return draft;
    });
    b.reader.rows.set('1', row('1'));
    b.reader.rows.set('2', row('2'));
    const r = await b.dispatcher.process([item('1'), item('2')], 'stream');
    expect(r.get('1')).to.deep.equal({ status: 'done' });
    expect(r.get('2')).to.deep.equal({ status: 'done', pushed: true });
    expect(b.emu.getUser('legacy-2')).to.include({ email: 'u2@example.com' });
    const dead = await b.store.getDeadLetters(['1']);
    expect(dead.get('1')?.reason).to.match(/module bug/);
    expect(b.emu.getUser('legacy-1')).to.equal(undefined);
  });

  it('purges a user gone before it was ever pushed in the stream, but not in the backfill', async () => {
    const b = await bench();
    const backfill = await b.dispatcher.process([item('9')], 'backfill');
    expect(backfill.get('9')).to.deep.equal({ status: 'done' });
    expect(await counter(b.metrics.pushes, { outcome: 'absent' })).to.equal(0);
    const stream = await b.dispatcher.process([item('9')], 'stream');
    expect(stream.get('9')).to.deep.equal({ status: 'done', pushed: true });
    expect(await counter(b.metrics.pushes, { outcome: 'absent' })).to.equal(1);
    expect((await b.store.getUserStates(['9'])).get('9')).to.include({ deleted: true });
  });

  it('locks instead of purging with onDelete lock, and does nothing with onDelete ignore', async () => {
    const lock = await bench({ onDelete: 'lock' });
    lock.reader.rows.set('1', row('1'));
    await lock.dispatcher.process([item('1')], 'stream');
    lock.reader.rows.delete('1');
    await lock.dispatcher.process([item('1')], 'stream');
    expect(lock.emu.getUser('legacy-1')).to.include({ userStatus: 'LOCKED' });

    const ignore = await bench({ onDelete: 'ignore' });
    ignore.reader.rows.set('1', row('1'));
    await ignore.dispatcher.process([item('1')], 'stream');
    ignore.reader.rows.delete('1');
    await ignore.dispatcher.process([item('1')], 'stream');
    expect(ignore.emu.getUser('legacy-1')).to.not.include({ userStatus: 'LOCKED' });
    expect((await ignore.store.getUserStates(['1'])).get('1')).to.include({ deleted: false });
  });

  it('purges the old user first when a deleted key is used again by a new user', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1', 'First'));
    await b.dispatcher.process([item('1')], 'stream');
    b.reader.rows.set('1', { id: '1', email: 'second@example.com', first_name: null });
    await b.dispatcher.process([item('1', { rootDeleted: true })], 'stream');
    const user = b.emu.getUser('legacy-1');
    expect(user).to.include({ email: 'second@example.com' });
    expect(user?.given_name).to.not.equal('First');
    expect(await counter(b.metrics.domainEvents, { type: 'user.deleted' })).to.equal(1);
    expect(await counter(b.metrics.domainEvents, { type: 'user.created' })).to.equal(2);
  });
});

describe('Dispatcher.prepare and send: the read apart from the calls (#15)', () => {
  it('prepare reads and plans without calling cidaas or storing; send pushes and stores', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    b.reader.rows.set('2', row('2', 'Old'));
    const calls = b.emu.stats().users;
    const prepared = await b.dispatcher.prepare([item('1'), item('2', { expectations: [expectRow(row('2', 'New'))] })], 'stream');
    expect(b.reader.reads).to.equal(1);
    expect(prepared.calls).to.equal(1);
    expect(prepared.results.get('2')).to.deep.equal({ status: 'retry', delayMs: 10, why: 'stale-read' });
    expect(prepared.results.has('1')).to.equal(false);
    expect(b.emu.stats().users).to.deep.equal(calls);
    expect((await b.store.getUserStates(['1'])).size).to.equal(0);

    const results = await b.dispatcher.send(prepared);
    expect(results.get('1')).to.deep.equal({ status: 'done', pushed: true });
    expect(results.get('2')).to.deep.equal({ status: 'retry', delayMs: 10, why: 'stale-read' });
    expect(b.emu.getUser('legacy-1')).to.include({ given_name: 'Ada' });
    expect((await b.store.getUserStates(['1'])).get('1')).to.include({ sub: 'legacy-1' });
  });

  it('prepares a batch needing no call (unchanged users) with calls 0, and send stores without calling', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    await b.dispatcher.process([item('1')], 'stream');
    const calls = b.emu.stats().users;
    const prepared = await b.dispatcher.prepare([item('1')], 'stream');
    expect(prepared.calls).to.equal(0);
    expect((await b.dispatcher.send(prepared)).get('1')).to.deep.equal({ status: 'done' });
    expect(b.emu.stats().users).to.deep.equal(calls);
  });

  it('logs a push at debug level only, in the stream as in the backfill', async () => {
    const b = await bench();
    b.reader.rows.set('1', row('1'));
    b.reader.rows.set('2', row('2'));
    await b.dispatcher.process([item('1')], 'stream');
    await b.dispatcher.process([item('2')], 'backfill');
    const pushLines = b.logger.lines.filter((l) => l.message === 'user.created');
    expect(pushLines.map((l) => [l.level, l.fields['key']])).to.deep.equal([['debug', '1'], ['debug', '2']]);
  });
});
