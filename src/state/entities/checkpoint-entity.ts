import { EntitySchema } from 'typeorm';
import { epochMillis } from './epoch-millis.js';
import { TableNames } from './table-names.js';

/** A row of `cidaas_sync_checkpoint`. There is one, with id `main`. */
export interface CheckpointRow {
  id: string;
  position: string;
  updatedAt: Date;
}

/** The checkpoint table. Its DDL lives in the migrations; this only maps columns. */
export const CheckpointEntity = new EntitySchema<CheckpointRow>({
  name: 'Checkpoint',
  tableName: TableNames.checkpoint,
  columns: {
    id: { name: 'id', type: 'varchar', length: 32, primary: true },
    position: { name: 'position', type: 'text' },
    updatedAt: { name: 'updated_at', type: 'bigint', transformer: epochMillis },
  },
});
