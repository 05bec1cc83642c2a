import { expect } from 'chai';
import { SyncError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/observability/logger.js';
import type { SourceFinishOptions } from '../../../src/source-adapter.js';
import { sourceAdapterFor } from '../../../src/source-adapter-for.js';
import { minimalConfig, parse } from '../config/config-test-helpers.js';

const MYSQL_SOURCE = { kind: 'mysql', url: 'mysql://sync:pw@localhost:3306/shop', serverId: 4711 };

function finishing(o: Partial<SourceFinishOptions>, stops: string[]): SourceFinishOptions {
  return { finalPosition: 'mariadb-bin.000002:0000000123', release: false, verified: true, force: false, reportPath: 'report.json', stopSource: async () => { stops.push('stop'); }, ...o };
}

/** Issue #17: one seam per database, picked by source.kind in one place. */
describe('sourceAdapterFor: the adapter of the configured database (#17)', () => {
  it('gives PostgreSQL the slot: status names it, check needs no checkpoint, replicas share no id', async () => {
    const config = await parse({ ...minimalConfig(), source: { ...minimalConfig()['source'], slot: 'sync_slot' } });
    const adapter = await sourceAdapterFor(config.source);
    expect(adapter).to.include({ kind: 'postgres', retainedBy: 'by slot sync_slot', replicaServerId: null, preflightNeedsCheckpoint: false });
    const source = adapter.createSource({ tables: ['public.users'], logger: silentLogger });
    expect(source.kind).to.equal('postgres');
    await source.stop();
    await adapter.createDialect({ maxConnections: 1 }).close();
  });

  it('gives MySQL/MariaDB the server id every replica must share and the checkpoint check', async () => {
    const adapter = await sourceAdapterFor((await parse({ ...minimalConfig(), source: MYSQL_SOURCE })).source);
    expect(adapter).to.include({ kind: 'mysql', retainedBy: null, replicaServerId: '4711', preflightNeedsCheckpoint: true });
    const source = adapter.createSource({ tables: ['shop.users'], logger: silentLogger });
    expect(source.kind).to.equal('mysql');
    await source.stop();
    await adapter.createDialect({ maxConnections: 1 }).close();
  });

  it('MySQL: cutover puts the final binlog position on record, and check --fix lists every failed item as left to a person', async () => {
    const adapter = await sourceAdapterFor((await parse({ ...minimalConfig(), source: MYSQL_SOURCE })).source);
    const stops: string[] = [];
    expect(await adapter.finish(finishing({ release: true, verified: false }, stops))).to.deep.equal(['final binlog position (for the record): mariadb-bin.000002:0000000123']);
    expect(stops).to.deep.equal([]);
    const outcomes = await adapter.repair([
      { name: 'binlog_format', ok: false, detail: 'MIXED', fix: "SET GLOBAL binlog_format = 'ROW';" },
      { name: 'log_bin', ok: true, detail: 'ON' },
    ], silentLogger);
    expect(outcomes).to.have.length(1);
    expect(outcomes[0]).to.include({ item: 'binlog_format', action: "SET GLOBAL binlog_format = 'ROW';", done: false, attempted: false });
  });

  it('PostgreSQL: cutover keeps the slot without --drop-slot, and refuses to drop it when verify differed unless forced', async () => {
    const adapter = await sourceAdapterFor((await parse(minimalConfig())).source);
    const stops: string[] = [];
    expect(await adapter.finish(finishing({ release: false, verified: false }, stops))).to.deep.equal([]);
    const refused = await adapter.finish(finishing({ release: true, verified: false }, stops)).then(() => null, (err: unknown) => err);
    expect(refused).to.be.instanceOf(SyncError).and.include({ code: 'VERIFY_DIFFERENCES' });
    expect((refused as SyncError).message).to.contain('report.json').and.to.contain('is kept so the sync can resume');
    expect(stops, 'the source keeps streaming when the slot is kept').to.deep.equal([]);
  });
});
