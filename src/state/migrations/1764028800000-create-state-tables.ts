import { Table, TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner, TableColumnOptions } from 'typeorm';
import { KEY_LENGTH, META_NAME_LENGTH, TableNames } from '../entities/table-names.js';

type Dialect = 'sqlite' | 'postgres' | 'mysql';

function dialectOf(queryRunner: QueryRunner): Dialect {
  const type = queryRunner.connection.driver.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  return 'sqlite';
}

/**
 * A string column. Keys compare byte by byte on every database, so that key order and `>` agree
 * everywhere: SQLite's default BINARY collation, `COLLATE "C"` on PostgreSQL (not the database
 * locale), `utf8mb4_bin` on MySQL (whose default collations also fold case, which would merge
 * keys `a` and `A`). MySQL columns are utf8mb4 whatever the legacy database's default charset.
 */
function str(d: Dialect, name: string, options: { length?: number; key?: boolean; nullable?: boolean; primary?: boolean } = {}): TableColumnOptions {
  const column: TableColumnOptions = {
    name,
    type: options.length === undefined ? 'text' : 'varchar',
    isNullable: options.nullable ?? false,
    isPrimary: options.primary ?? false,
  };
  if (options.length !== undefined) column.length = String(options.length);
  if (d === 'mysql') {
    column.charset = 'utf8mb4';
    column.collation = 'utf8mb4_bin';
  } else if (d === 'postgres' && options.key === true) {
    column.collation = 'C';
  }
  return column;
}

function millis(name: string, nullable = false): TableColumnOptions {
  return { name, type: 'bigint', isNullable: nullable };
}

/** The first schema: user state, dead letters, checkpoint, backfill progress, metadata. */
export class CreateStateTables1764028800000 implements MigrationInterface {
  name = 'CreateStateTables1764028800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = dialectOf(queryRunner);
    const key = (name: string, extra: { nullable?: boolean; primary?: boolean } = {}): TableColumnOptions =>
      str(d, name, { length: KEY_LENGTH, key: true, ...extra });
    const fingerprint = (name: string): TableColumnOptions => str(d, name, { length: 128, nullable: true });

    await queryRunner.createTable(new Table({
      name: TableNames.userState,
      columns: [
        key('user_key', { primary: true }),
        key('sub'),
        fingerprint('fp_profile'),
        fingerprint('fp_email'),
        fingerprint('fp_password'),
        fingerprint('fp_mfa'),
        millis('last_push_at'),
        { name: 'deleted', type: 'boolean', isNullable: false },
      ],
      indices: [
        new TableIndex({ name: `IDX_${TableNames.userState}_last_push_at`, columnNames: ['last_push_at'] }),
        new TableIndex({ name: `IDX_${TableNames.userState}_deleted`, columnNames: ['deleted'] }),
      ],
    }));

    await queryRunner.createTable(new Table({
      name: TableNames.deadLetter,
      columns: [
        key('user_key', { primary: true }),
        str(d, 'reason'),
        { name: 'attempts', type: 'int', isNullable: false },
        millis('first_seen'),
        millis('last_seen'),
        { name: 'permanent', type: 'boolean', isNullable: false },
      ],
    }));

    await queryRunner.createTable(new Table({
      name: TableNames.checkpoint,
      columns: [str(d, 'id', { length: 32, key: true, primary: true }), str(d, 'position'), millis('updated_at')],
    }));

    await queryRunner.createTable(new Table({
      name: TableNames.backfill,
      columns: [
        str(d, 'id', { length: 32, key: true, primary: true }),
        str(d, 'status', { length: 16 }),
        str(d, 'start_position'),
        key('last_key', { nullable: true }),
        { name: 'users_done', type: 'bigint', isNullable: false },
        { name: 'users_total', type: 'bigint', isNullable: true },
        millis('started_at'),
        millis('finished_at', true),
      ],
    }));

    await queryRunner.createTable(new Table({
      name: TableNames.meta,
      columns: [str(d, 'name', { length: META_NAME_LENGTH, key: true, primary: true }), str(d, 'value')],
    }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [TableNames.meta, TableNames.backfill, TableNames.checkpoint, TableNames.deadLetter, TableNames.userState]) {
      await queryRunner.dropTable(table, true);
    }
  }
}
