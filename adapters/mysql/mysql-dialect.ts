import mysql from 'mysql2';
import type { Pool as PromisePool, RowDataPacket } from 'mysql2/promise';
import type { LegacyRow } from '../../src/legacy-reader.js';
import type { Secret } from '../../src/secret.js';
import type { SqlDialect } from '../../src/sql-dialect.js';
import type { KeyColumnInfo, LegacyKeyKind } from '../../src/legacy-key.js';
import { mysqlConnectionOptions, quoteMysqlIdent, quoteMysqlTable, SESSION_TIME_ZONE_SQL, splitMysqlTable } from './mysql-connection-options.js';

/** The MySQL/MariaDB types a key column may have, by information_schema DATA_TYPE. */
const MYSQL_KEY_KINDS: Readonly<Record<string, LegacyKeyKind>> = {
  tinyint: 'integer', smallint: 'integer', mediumint: 'integer', int: 'integer', bigint: 'integer',
  char: 'text', varchar: 'text',
  binary: 'bytes', varbinary: 'bytes',
};

/**
 * MySQL/MariaDB for {@link SqlLegacyReader}: backtick quoting, `?` placeholders, and a small mysql2
 * pool whose values match what zongji decodes from the binlog for the same column (UTC dates,
 * BIGINT and DECIMAL as exact strings; see {@link mysqlConnectionOptions}).
 */
export class MysqlDialect implements SqlDialect {
  readonly #pool: PromisePool;

  constructor(url: Secret, options: { maxConnections?: number } = {}) {
    const pool = mysql.createPool({ ...mysqlConnectionOptions(url), connectionLimit: options.maxConnections ?? 4, maxIdle: 2, idleTimeout: 60_000 });
    // Runs before the connection's first query: commands on a connection run in order.
    pool.on('connection', (c) => c.query(SESSION_TIME_ZONE_SQL, () => undefined));
    this.#pool = pool.promise();
  }

  quoteTable(name: string): string { return quoteMysqlTable(name); }
  quoteIdent(name: string): string { return quoteMysqlIdent(name); }
  placeholder(_n: number): string { return '?'; }

  inList(column: string, values: readonly unknown[], _first: number): { sql: string; params: unknown[] } {
    if (values.length === 0) return { sql: '1 = 0', params: [] };
    return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: [...values] };
  }

  async query(sql: string, params: readonly unknown[]): Promise<LegacyRow[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(sql, params as unknown[]);
    return rows as LegacyRow[];
  }

  async estimateRows(table: string): Promise<number> {
    const { database, table: name } = splitMysqlTable(table);
    const [stats] = await this.#pool.query<RowDataPacket[]>(
      'SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [database, name]);
    const est = Number(stats[0]?.n ?? 0);
    if (est > 0) return est;
    const [count] = await this.#pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteMysqlTable(table)}`);
    return Number(count[0]!.n);
  }

  async keyColumn(table: string, column: string): Promise<KeyColumnInfo | null> {
    const { database, table: name } = splitMysqlTable(table);
    const [cols] = await this.#pool.query<RowDataPacket[]>(
      'SELECT DATA_TYPE AS dataType, COLUMN_TYPE AS columnType FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [database, name, column]);
    const col = cols[0];
    if (!col) return null;
    const [indexes] = await this.#pool.query<RowDataPacket[]>(
      `SELECT INDEX_NAME AS name, MAX(NON_UNIQUE) AS nonUnique, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') AS cols, MAX(SUB_PART) AS subPart
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? GROUP BY INDEX_NAME`,
      [database, name]);
    const pk = indexes.find((i) => i.name === 'PRIMARY');
    const unique = indexes.some((i) => Number(i.nonUnique) === 0 && i.cols === column && i.subPart === null);
    return {
      type: String(col.columnType),
      kind: MYSQL_KEY_KINDS[String(col.dataType).toLowerCase()] ?? null,
      primaryKey: pk ? String(pk.cols).split(',') : null,
      unique,
    };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
