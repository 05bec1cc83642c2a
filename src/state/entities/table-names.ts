/**
 * Every table of the state store starts with this prefix, so it can live in the legacy
 * database (PostgreSQL or MySQL) beside the application's tables without clashing.
 */
export const TABLE_PREFIX = 'cidaas_sync_';

/** The table names, shared by the entities and the migrations. */
export const TableNames = {
  userState: `${TABLE_PREFIX}user_state`,
  deadLetter: `${TABLE_PREFIX}dead_letter`,
  checkpoint: `${TABLE_PREFIX}checkpoint`,
  backfill: `${TABLE_PREFIX}backfill`,
  meta: `${TABLE_PREFIX}meta`,
  migrations: `${TABLE_PREFIX}migrations`,
} as const;

/** The longest legacy key and cidaas sub stored (a MySQL utf8mb4 primary key allows up to 768). */
export const KEY_LENGTH = 255;

/** The longest metadata name (MySQL utf8mb4 key limit on old row formats). */
export const META_NAME_LENGTH = 191;
