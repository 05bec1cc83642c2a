import { EntitySchema } from 'typeorm';
import { epochMillis } from './epoch-millis.js';
import { KEY_LENGTH, TableNames } from './table-names.js';

/** A row of `cidaas_sync_user_state`: one per legacy user ever pushed (tombstones kept). */
export interface UserStateRow {
  key: string;
  sub: string;
  fpProfile: string | null;
  fpEmail: string | null;
  fpPassword: string | null;
  fpMfa: string | null;
  lastPushAt: Date;
  deleted: boolean;
}

/** The user state table. Its DDL lives in the migrations; this only maps columns. */
export const UserStateEntity = new EntitySchema<UserStateRow>({
  name: 'UserState',
  tableName: TableNames.userState,
  columns: {
    key: { name: 'user_key', type: 'varchar', length: KEY_LENGTH, primary: true },
    sub: { name: 'sub', type: 'varchar', length: KEY_LENGTH },
    fpProfile: { name: 'fp_profile', type: 'varchar', length: 128, nullable: true },
    fpEmail: { name: 'fp_email', type: 'varchar', length: 128, nullable: true },
    fpPassword: { name: 'fp_password', type: 'varchar', length: 128, nullable: true },
    fpMfa: { name: 'fp_mfa', type: 'varchar', length: 128, nullable: true },
    lastPushAt: { name: 'last_push_at', type: 'bigint', transformer: epochMillis },
    deleted: { name: 'deleted', type: 'boolean' },
  },
});
