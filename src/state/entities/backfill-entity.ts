import { EntitySchema } from 'typeorm';
import { bigintNumber, epochMillis } from './epoch-millis.js';
import { KEY_LENGTH, TableNames } from './table-names.js';

/** A row of `cidaas_sync_backfill`. There is at most one, with id `main`. */
export interface BackfillRow {
  id: string;
  status: string;
  startPosition: string;
  lastKey: string | null;
  usersDone: number;
  usersTotal: number | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** The backfill progress table. Its DDL lives in the migrations; this only maps columns. */
export const BackfillEntity = new EntitySchema<BackfillRow>({
  name: 'Backfill',
  tableName: TableNames.backfill,
  columns: {
    id: { name: 'id', type: 'varchar', length: 32, primary: true },
    status: { name: 'status', type: 'varchar', length: 16 },
    startPosition: { name: 'start_position', type: 'text' },
    lastKey: { name: 'last_key', type: 'varchar', length: KEY_LENGTH, nullable: true },
    usersDone: { name: 'users_done', type: 'bigint', transformer: bigintNumber },
    usersTotal: { name: 'users_total', type: 'bigint', nullable: true, transformer: bigintNumber },
    startedAt: { name: 'started_at', type: 'bigint', transformer: epochMillis },
    finishedAt: { name: 'finished_at', type: 'bigint', nullable: true, transformer: epochMillis },
  },
});
