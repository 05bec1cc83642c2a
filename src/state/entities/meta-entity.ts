import { EntitySchema } from 'typeorm';
import { META_NAME_LENGTH, TableNames } from './table-names.js';

/** A row of `cidaas_sync_meta`: a small named value. */
export interface MetaRow {
  name: string;
  value: string;
}

/** The metadata table. Its DDL lives in the migrations; this only maps columns. */
export const MetaEntity = new EntitySchema<MetaRow>({
  name: 'Meta',
  tableName: TableNames.meta,
  columns: {
    name: { name: 'name', type: 'varchar', length: META_NAME_LENGTH, primary: true },
    value: { name: 'value', type: 'text' },
  },
});
