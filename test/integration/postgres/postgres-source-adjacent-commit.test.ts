import { expect } from 'chai';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { Pgoutput } from 'pg-logical-replication';
import { formatLsn, parseLsn } from '../../../adapters/postgres/lsn.js';
import { REPLICATION_SERVICE_CONFIG } from '../../../adapters/postgres/replication-connection.js';
import { waitFor } from '../../support/wait-for.js';
import { PostgresSourceFixture, RecordingHandler } from './postgres-source-fixture.js';

/** Begin and commit of one decoded transaction, read from the raw pgoutput messages. */
interface DecodedTx {
  readonly xid: number;
  /** Where the commit record starts (Begin's final LSN). */
  readonly commitStart: bigint;
  /** Where it ends (Commit's end LSN): the position the source reports. */
  readonly commitEnd: bigint;
}

/** Peeks (without consuming) the transactions a pgoutput slot holds. */
async function peekTransactions(fx: PostgresSourceFixture, slot: string): Promise<DecodedTx[]> {
  const r = await fx.sql<{ data: Buffer }>(
    "SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, NULL, 'proto_version', '1', 'publication_names', $2)",
    [slot, fx.publication]);
  const out: DecodedTx[] = [];
  let begin: { xid: number; commitStart: bigint } | null = null;
  for (const { data } of r.rows) {
    if (data[0] === 0x42) begin = { commitStart: data.readBigUInt64BE(1), xid: data.readUInt32BE(17) };
    else if (data[0] === 0x43 && begin) {
      out.push({ ...begin, commitEnd: data.readBigUInt64BE(10) });
      begin = null;
    }
  }
  return out;
}

describe('PostgresSource: acknowledging a commit whose successor starts at its end', function () {
  let fx: PostgresSourceFixture;

  before(async () => {
    fx = await PostgresSourceFixture.create('pgsrc_adjacent');
  });
  afterEach(async () => fx.cleanUp());
  after(async () => fx?.close());

  it('delivers T2 after a restart from T1\'s acknowledged position although T2\'s commit record starts exactly there (the library\'s own +1 would skip it)', async function () {
    const slot = fx.slotName();
    const librarySlot = fx.slotName();
    const source = fx.source({ slot });
    await source.prepare();
    await fx.sql("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [librarySlot]);
    const h = new RecordingHandler();
    await source.start(null, h, () => undefined);

    // T2 writes first and stays open, T1 writes and commits, T2 commits right after: with no other
    // WAL in between, T2's commit record starts at T1's commit end. Retried until it does.
    const s1 = await fx.session();
    const s2 = await fx.session();
    let pair: { t1: DecodedTx; t2: DecodedTx; t2Id: number } | null = null;
    try {
      for (let attempt = 0; attempt < 20 && !pair; attempt++) {
        const t1Id = 1000 + 2 * attempt;
        const t2Id = t1Id + 1;
        await s2.query('BEGIN');
        const x2 = (await s2.query<{ x: string }>('INSERT INTO users (id, email) VALUES ($1, $2) RETURNING pg_current_xact_id()::text AS x', [t2Id, 't2'])).rows[0]!.x;
        await s1.query('BEGIN');
        const x1 = (await s1.query<{ x: string }>('INSERT INTO users (id, email) VALUES ($1, $2) RETURNING pg_current_xact_id()::text AS x', [t1Id, 't1'])).rows[0]!.x;
        await s1.query('COMMIT');
        await s2.query('COMMIT');
        const xid1 = Number(BigInt(x1) & 0xffffffffn);
        const xid2 = Number(BigInt(x2) & 0xffffffffn);
        // Decoding reads flushed WAL only, and the test server commits asynchronously.
        let txs: DecodedTx[] = [];
        await waitFor(async () => {
          txs = await peekTransactions(fx, librarySlot);
          return txs.some((t) => t.xid === xid2);
        }, { message: 'T2 in the slot' });
        const t1 = txs.find((t) => t.xid === xid1);
        const t2 = txs.find((t) => t.xid === xid2);
        expect(t1, 'T1 decoded').to.not.equal(undefined);
        if (t2!.commitStart === t1!.commitEnd) pair = { t1: t1!, t2: t2!, t2Id };
      }
    } finally {
      await s1.end();
      await s2.end();
    }
    expect(pair, 'T2 committing right at the end of T1 within 20 attempts').to.not.equal(null);
    const { t1, t2, t2Id } = pair!;
    await fx.sql("INSERT INTO users (id, email) VALUES (5000, 'marker')");

    // Our source: T1's reported position is its commit end; acknowledging it stores exactly that.
    await waitFor(() => h.commits().some((p) => parseLsn(p) === t2.commitEnd), { message: () => `T2 delivered, got ${h.kinds()}` });
    const p1 = formatLsn(t1.commitEnd);
    expect(h.commits()).to.include(p1);
    await source.acknowledge(p1);
    await waitFor(async () => (await fx.confirmedFlush(slot)) === p1, { message: `confirmed_flush_lsn = ${p1}` });
    await source.stop();
    const resumed = new RecordingHandler();
    await fx.source({ slot }).start(null, resumed, () => undefined);
    await waitFor(() => resumed.transactions().length >= 2, { message: () => `T2 and the marker, got ${resumed.kinds()}` });
    expect(resumed.transactions().map((t) => t.changes.map((c) => c.after?.['id']))).to.deep.equal([[t2Id], [5000]]);

    // The library's acknowledge(commitEndLsn) reports one byte more, and the server skips T2.
    const service = new LogicalReplicationService({ connectionString: fx.db.url }, REPLICATION_SERVICE_CONFIG);
    const ends: bigint[] = [];
    service.on('error', () => undefined);
    service.on('data', (_lsn: string, m: Pgoutput.Message) => {
      if (m.tag === 'commit') ends.push(parseLsn(m.commitEndLsn!));
    });
    const streaming = service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [fx.publication] }), librarySlot, '0/0').catch(() => undefined);
    await waitFor(() => ends.includes(t1.commitEnd), { message: 'T1 on the library stream' });
    await service.acknowledge(p1);
    const plusOne = formatLsn(t1.commitEnd + 1n);
    await waitFor(async () => (await fx.confirmedFlush(librarySlot)) === plusOne, { message: `confirmed_flush_lsn = ${plusOne}` });
    await service.destroy();
    await streaming;
    const skipped = new RecordingHandler();
    await fx.source({ slot: librarySlot }).start(null, skipped, () => undefined);
    await waitFor(() => skipped.transactions().length >= 1, { message: () => `the marker, got ${skipped.kinds()}` });
    expect(skipped.transactions().map((t) => t.changes.map((c) => c.after?.['id']))).to.deep.equal([[5000]]);
  });
});
