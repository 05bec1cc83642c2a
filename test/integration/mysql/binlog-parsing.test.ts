import { expect } from 'chai';
import { classifyBinlogError } from '../../../adapters/mysql/binlog-errors.js';
import {
  compareBinlogPositions, formatBinlogPosition, parseBinlogPosition, parseMariadbGtidPosition, sameMariadbGtidPosition,
} from '../../../adapters/mysql/binlog-position.js';
import { isStatementLoggedDml, parseTruncate } from '../../../adapters/mysql/query-statement.js';

// Pure functions of the MySQL adapter; they live with its integration tests (test/unit is not ours).
describe('binlog positions, TRUNCATE statements and stream errors (MySQL adapter)', () => {
  it('round-trips a position and pads the offset so that positions in one file sort as text', () => {
    const p = { file: 'mariadb-bin.000042', offset: 1234, gtid: '0-1-17,1-2-5' };
    const text = formatBinlogPosition(p);
    expect(text).to.equal('mariadb-bin.000042:0000001234@0-1-17,1-2-5');
    expect(parseBinlogPosition(text)).to.deep.equal(p);
    expect(parseBinlogPosition('mysql-bin.000001:4')).to.deep.equal({ file: 'mysql-bin.000001', offset: 4, gtid: null });
    expect(formatBinlogPosition({ file: 'b.000001', offset: 999, gtid: null }) < formatBinlogPosition({ file: 'b.000001', offset: 1000, gtid: null })).to.equal(true);
  });

  it('rejects a checkpoint that is not a binlog position', () => {
    expect(() => parseBinlogPosition('16/B374D848')).to.throw(/not a binlog position/);
    expect(() => parseBinlogPosition('')).to.throw(/not a binlog position/);
  });

  it('orders positions by file sequence number, then offset, when the GTIDs do not tell', () => {
    const at = (file: string, offset: number, gtid: string | null = null) => ({ file, offset, gtid });
    expect(compareBinlogPositions(at('b.000009', 9000), at('b.000010', 4))).to.equal(-1);
    expect(compareBinlogPositions(at('b.999999', 9000), at('b.1000000', 4))).to.equal(-1);
    expect(compareBinlogPositions(at('b.000010', 400), at('b.000010', 300))).to.equal(1);
    expect(compareBinlogPositions(at('b.000010', 400, '0-1-5'), at('b.000010', 300, '0-1-5'))).to.equal(1);
    expect(compareBinlogPositions(at('b.000010', 400, '0-1-5,1-1-9'), at('b.000010', 300, '0-1-6,1-1-8'))).to.equal(1);
    expect(compareBinlogPositions(at('b.000010', 400, 'uuid-a:7'), at('b.000010', 300, 'uuid-a:9'))).to.equal(1);
    expect(compareBinlogPositions(at('b.000010', 400, '0-1-5'), at('b.000010', 400))).to.equal(0);
  });

  it('orders MariaDB positions by their GTIDs first, so that another server\'s binlog numbering does not matter', () => {
    const at = (file: string, offset: number, gtid: string | null = null) => ({ file, offset, gtid });
    expect(compareBinlogPositions(at('old-bin.000042', 9000, '0-1-17'), at('new-bin.000003', 400, '0-2-18'))).to.equal(-1);
    expect(compareBinlogPositions(at('new-bin.000003', 400, '0-2-18'), at('old-bin.000042', 9000, '0-1-17'))).to.equal(1);
    expect(compareBinlogPositions(at('b.000001', 900, '0-1-17,1-1-3'), at('b.000001', 400, '0-1-17,1-1-4'))).to.equal(-1);
    // A domain one position lacks counts as before everything of it.
    expect(compareBinlogPositions(at('b.000009', 900, '0-1-17'), at('b.000001', 400, '0-1-17,1-1-1'))).to.equal(-1);
    expect(compareBinlogPositions(at('b.000010', 400, '0-1-5'), at('b.000010', 400, '0-1-6'))).to.equal(-1);
  });

  it('tells equal MariaDB GTID positions whatever the order of their domains, and reads a state with several servers per domain', () => {
    expect(sameMariadbGtidPosition('0-1-17,1-2-5', '1-2-5,0-1-17')).to.equal(true);
    expect(sameMariadbGtidPosition('0-1-17', '0-2-17')).to.equal(false);
    expect(sameMariadbGtidPosition('0-1-17', '0-1-17,1-1-1')).to.equal(false);
    expect(sameMariadbGtidPosition(null, '')).to.equal(true);
    expect(sameMariadbGtidPosition(null, '0-1-1')).to.equal(false);
    const state = parseMariadbGtidPosition('0-1-10,0-2-12,3-1-4');
    expect([...state!.values()].map((g) => `${g.domainId}-${g.serverId}-${g.seqNo}`)).to.deep.equal(['0-2-12', '3-1-4']);
    expect(parseMariadbGtidPosition('3e11fa47-71ca-11e1-9e33-c80aa9429562:23')).to.equal(null);
  });

  it('reads the table of the TRUNCATE forms MariaDB logs', () => {
    expect(parseTruncate('TRUNCATE TABLE users', 'shop')).to.deep.equal({ kind: 'truncate', table: 'shop.users' });
    expect(parseTruncate('truncate users;', 'shop')).to.deep.equal({ kind: 'truncate', table: 'shop.users' });
    expect(parseTruncate('/* c */ TRUNCATE `other db`.`we``ird`', 'shop')).to.deep.equal({ kind: 'truncate', table: 'other db.we`ird' });
    expect(parseTruncate('-- x\nTRUNCATE TABLE crm . users NOWAIT', '')).to.deep.equal({ kind: 'truncate', table: 'crm.users' });
    expect(parseTruncate('TRUNCATE TABLE users WAIT 5', 'shop')).to.deep.equal({ kind: 'truncate', table: 'shop.users' });
  });

  it('reports a TRUNCATE it cannot read with certainty as unparsed, and other statements as other', () => {
    expect(parseTruncate('TRUNCATE users', '')).to.deep.equal({ kind: 'unparsed' });
    expect(parseTruncate('TRUNCATE TABLE a, b', 'shop')).to.deep.equal({ kind: 'unparsed' });
    expect(parseTruncate('/*!40000 TRUNCATE users */', 'shop')).to.deep.equal({ kind: 'other' });
    expect(parseTruncate('CREATE TABLE truncate_log (id INT)', 'shop')).to.deep.equal({ kind: 'other' });
    expect(parseTruncate('ALTER TABLE users ADD COLUMN x INT', 'shop')).to.deep.equal({ kind: 'other' });
  });

  it('reads partition truncation and removal as a TRUNCATE of the table: they leave no row events either', () => {
    expect(parseTruncate('ALTER TABLE users TRUNCATE PARTITION p0', 'shop')).to.deep.equal({ kind: 'truncate', table: 'shop.users' });
    expect(parseTruncate('alter table `crm`.`users` drop partition p0, p1', 'shop')).to.deep.equal({ kind: 'truncate', table: 'crm.users' });
    expect(parseTruncate('ALTER TABLE users ADD COLUMN x INT, DROP PARTITION p1', 'shop')).to.deep.equal({ kind: 'unparsed' });
  });

  it('recognises row changes logged as statements', () => {
    expect(isStatementLoggedDml("INSERT INTO users VALUES (1)")).to.equal(true);
    expect(isStatementLoggedDml("/* app */ update users set a = 1")).to.equal(true);
    expect(isStatementLoggedDml('LOAD DATA INFILE "x" INTO TABLE users')).to.equal(true);
    expect(isStatementLoggedDml('CREATE TABLE insert_log (id INT)')).to.equal(false);
    expect(isStatementLoggedDml('BEGIN')).to.equal(false);
  });

  it('reconnects on connection trouble and stops on a lost position, missing privileges or an undecodable event', () => {
    const err = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);
    expect(classifyBinlogError(err('Connection lost', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true })).kind).to.equal('transient');
    expect(classifyBinlogError(err('Connection was killed', { errno: 1927, code: 'ER_CONNECTION_KILLED' })).kind).to.equal('transient');
    const lost = classifyBinlogError(err('Could not find first log file name in binary log index file', { errno: 1236 }));
    expect(lost.kind === 'fatal' && lost.error.code).to.equal('SOURCE_POSITION_LOST');
    const denied = classifyBinlogError(err('Access denied; you need the REPLICATION SLAVE privilege', { errno: 1227 }));
    expect(denied.kind === 'fatal' && denied.error.code).to.equal('SOURCE_PREFLIGHT');
    const decode = classifyBinlogError(new Error('Unsupported type "255" on column "x"'));
    expect(decode.kind === 'fatal' && decode.error.code).to.equal('SOURCE_PROTOCOL');
  });
});
