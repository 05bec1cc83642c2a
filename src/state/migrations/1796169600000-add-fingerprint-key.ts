import type { MigrationInterface, QueryRunner } from 'typeorm';
import { FINGERPRINT_KEY_META, FingerprintKey } from '../../digest/fingerprint-key.js';
import { TableNames } from '../entities/table-names.js';

function placeholders(queryRunner: QueryRunner): [string, string] {
  return queryRunner.connection.driver.options.type === 'postgres' ? ['$1', '$2'] : ['?', '?'];
}

/**
 * The fingerprint key: 32 random bytes created once per store, kept in the metadata table (see
 * src/fingerprint-key.ts). A store migrated from an older version keeps its unkeyed fingerprints;
 * each row is compared in the scheme it was written with until its user is pushed again.
 */
export class AddFingerprintKey1796169600000 implements MigrationInterface {
  name = 'AddFingerprintKey1796169600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const driver = queryRunner.connection.driver;
    const table = driver.escape(TableNames.meta);
    const [p1, p2] = placeholders(queryRunner);
    const found: unknown = await queryRunner.query(`SELECT 1 AS found FROM ${table} WHERE ${driver.escape('name')} = ${p1}`, [FINGERPRINT_KEY_META]);
    if (Array.isArray(found) && found.length > 0) return;
    await queryRunner.query(
      `INSERT INTO ${table} (${driver.escape('name')}, ${driver.escape('value')}) VALUES (${p1}, ${p2})`,
      [FINGERPRINT_KEY_META, FingerprintKey.generate().toStored()],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const driver = queryRunner.connection.driver;
    const [p1] = placeholders(queryRunner);
    await queryRunner.query(`DELETE FROM ${driver.escape(TableNames.meta)} WHERE ${driver.escape('name')} = ${p1}`, [FINGERPRINT_KEY_META]);
  }
}
