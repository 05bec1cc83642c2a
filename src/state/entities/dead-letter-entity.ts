import { EntitySchema } from 'typeorm';
import { epochMillis } from './epoch-millis.js';
import { KEY_LENGTH, TableNames } from './table-names.js';

/** A row of `cidaas_sync_dead_letter`: one per legacy user that currently fails. */
export interface DeadLetterRow {
  key: string;
  reason: string;
  attempts: number;
  firstSeen: Date;
  lastSeen: Date;
  permanent: boolean;
}

/** The dead-letter table. Its DDL lives in the migrations; this only maps columns. */
export const DeadLetterEntity = new EntitySchema<DeadLetterRow>({
  name: 'DeadLetter',
  tableName: TableNames.deadLetter,
  columns: {
    key: { name: 'user_key', type: 'varchar', length: KEY_LENGTH, primary: true },
    reason: { name: 'reason', type: 'text' },
    attempts: { name: 'attempts', type: 'int' },
    firstSeen: { name: 'first_seen', type: 'bigint', transformer: epochMillis },
    lastSeen: { name: 'last_seen', type: 'bigint', transformer: epochMillis },
    permanent: { name: 'permanent', type: 'boolean' },
  },
});
