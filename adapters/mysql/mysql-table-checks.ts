import type { Connection, RowDataPacket } from 'mysql2/promise';
import { didYouMean } from '../../config/did-you-mean.js';
import type { ExpectedColumn, ExpectedTable } from '../../src/preflight/expected-columns.js';
import { fail, pass, type PreflightItem } from '../../src/preflight/preflight-item.js';

/** The columns of `database.table` in their order, as information_schema names them; empty when the table is missing or hidden from the user. */
async function columnsOf(c: Connection, t: ExpectedTable): Promise<string[]> {
  const [rows] = await c.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [t.table.schema, t.table.name]);
  return rows.map((r) => String(r['name']));
}

/**
 * Per configured table that the user can see: every configured column exists, spelled as the
 * table spells it (the reader takes values from `SELECT *` rows by name, so `Email` and `email`
 * differ). A missing or unreadable table is reported by the SELECT grant check instead.
 */
export async function checkMysqlTables(c: Connection, tables: readonly ExpectedTable[]): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  for (const t of tables) {
    const columns = await columnsOf(c, t);
    if (columns.length === 0) continue;
    const have = new Set(columns);
    const byColumn = new Map<string, ExpectedColumn[]>();
    for (const e of t.columns) byColumn.set(e.column, [...(byColumn.get(e.column) ?? []), e]);
    const before = items.length;
    for (const [column, uses] of byColumn) {
      if (have.has(column)) continue;
      const keys = uses.map((u) => u.configKey).join(', ');
      const guess = didYouMean(column, columns);
      items.push(fail(`column ${t.qualified}.${column}`, `does not exist (named by ${keys})`,
        `set ${uses[0]!.configKey} to a column of ${t.qualified}${guess ? ` (did you mean \`${guess}\`?)` : ` (it has: ${columns.join(', ')})`}`));
    }
    if (items.length === before) items.push(pass(`columns of ${t.qualified}`, `${byColumn.size} configured columns exist`));
  }
  return items;
}
