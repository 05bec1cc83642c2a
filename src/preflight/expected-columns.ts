import type { Config, TableName } from '../../config/config-schema.js';
import type { LegacyTableRole } from '../legacy-reader.js';

/**
 * What cidaas-sync reads from each configured table, and the configuration key that names each
 * table and column, so that a preflight check can say "column `emial` (users.fields.email) does
 * not exist". Independent of the database: each source adapter checks these against its catalog.
 */

/** How a column's value is used, which decides the types that work. */
export type ColumnUse =
  /** The legacy user key (root key or a related table's foreign key): compared and ordered. */
  | 'key'
  /** A text field of the cidaas user (email, names, username, locale, ...): any scalar is turned into text. */
  | 'text'
  /** A cidaas boolean (email_verified): boolean, number, text such as 't', 'yes', or a date/time (yes when set). */
  | 'boolean'
  /** `birthdate`: a date, or text starting with YYYY-MM-DD. */
  | 'date'
  /** `createdTime`, `lastLoggedInTime`: a timestamp, or ISO 8601 text. */
  | 'timestamp'
  /** A password hash or TOTP secret: text or bytes. */
  | 'secret'
  /** PBKDF2 iterations: a number or digit text. */
  | 'integer'
  /** Custom fields, soft-delete markers, salts: anything the driver returns. */
  | 'any';

/** One column the configuration names. */
export interface ExpectedColumn {
  readonly column: string;
  /** The configuration key that names it: `users.fields.email`, `password.hash`. */
  readonly configKey: string;
  readonly use: ColumnUse;
}

/** One configured table and the columns read from it. */
export interface ExpectedTable {
  readonly role: LegacyTableRole;
  readonly table: TableName;
  /** `schema.table` (PostgreSQL) or `database.table` (MySQL). */
  readonly qualified: string;
  /** The configuration key that names the table: `users.table`, `password.table`; for columns on the users table, `users.table`. */
  readonly configKey: string;
  /** The column holding the user key (the key itself on the users table). */
  readonly userKey: string;
  readonly userKeyConfigKey: string;
  readonly columns: readonly ExpectedColumn[];
}

const FIELD_USE: Partial<Record<string, ColumnUse>> = {
  email_verified: 'boolean',
  mobile_number_verified: 'boolean',
  birthdate: 'date',
  createdTime: 'timestamp',
  lastLoggedInTime: 'timestamp',
};

function qualified(t: TableName): string {
  return `${t.schema}.${t.name}`;
}

/**
 * A table related to the users by `userKey`, under config section `section` (e.g. `password`,
 * `users.groups`): its user key column first, then `columns`.
 */
function relatedTable(role: LegacyTableRole, section: string, table: TableName, userKey: string, columns: readonly ExpectedColumn[]): ExpectedTable {
  return {
    role, table, qualified: qualified(table), configKey: `${section}.table`, userKey, userKeyConfigKey: `${section}.userKey`,
    columns: [{ column: userKey, configKey: `${section}.userKey`, use: 'key' }, ...columns],
  };
}

/**
 * The tables and columns the configuration reads. A password or MFA section without its own
 * table adds its columns to the users table. Columns a mapping module reads are not known here.
 */
export function expectedTables(config: Config): ExpectedTable[] {
  const u = config.users;
  const userCols: ExpectedColumn[] = [{ column: u.key, configKey: 'users.key', use: 'key' }];
  for (const [field, column] of Object.entries(u.fields)) {
    if (typeof column === 'string') userCols.push({ column, configKey: `users.fields.${field}`, use: FIELD_USE[field] ?? 'text' });
  }
  for (const [name, column] of Object.entries(u.customFields)) userCols.push({ column, configKey: `users.customFields.${name}`, use: 'any' });
  if (u.softDelete) userCols.push({ column: u.softDelete.column, configKey: 'users.softDelete.column', use: 'any' });
  const mfaSwitch = config.mfa?.enabledWhen;
  if (mfaSwitch && 'column' in mfaSwitch) userCols.push({ column: mfaSwitch.column, configKey: 'mfa.enabledWhen.column', use: 'boolean' });
  const tables: ExpectedTable[] = [];
  const users: ExpectedTable = { role: 'users', table: u.table, qualified: qualified(u.table), configKey: 'users.table', userKey: u.key, userKeyConfigKey: 'users.key', columns: userCols };
  tables.push(users);

  const pw = config.password;
  if (pw) {
    const cols: ExpectedColumn[] = [{ column: pw.hash, configKey: 'password.hash', use: 'secret' }];
    if (pw.salt) cols.push({ column: pw.salt, configKey: 'password.salt', use: 'any' });
    if (pw.iterations) cols.push({ column: pw.iterations, configKey: 'password.iterations', use: 'integer' });
    if (pw.parameters) cols.push({ column: pw.parameters, configKey: 'password.parameters', use: 'text' });
    if (typeof pw.algorithm === 'object') cols.push({ column: pw.algorithm.column, configKey: 'password.algorithm.column', use: 'text' });
    if (pw.table && pw.userKey) {
      tables.push(relatedTable('password', 'password', pw.table, pw.userKey, cols));
    } else userCols.push(...cols);
  }

  const mfa = config.mfa;
  if (mfa) {
    const cols: ExpectedColumn[] = [{ column: mfa.secret, configKey: 'mfa.secret', use: 'secret' }];
    if (mfa.enabled) cols.push({ column: mfa.enabled, configKey: 'mfa.enabled', use: 'boolean' });
    if (mfa.parameters) cols.push({ column: mfa.parameters, configKey: 'mfa.parameters', use: 'text' });
    if (mfa.table && mfa.userKey) {
      tables.push(relatedTable('mfa', 'mfa', mfa.table, mfa.userKey, cols));
    } else userCols.push(...cols);
  }

  const a = config.attributes;
  if (a) {
    tables.push(relatedTable('attributes', 'attributes', a.table, a.userKey, [
      { column: a.name, configKey: 'attributes.name', use: 'text' },
      { column: a.value, configKey: 'attributes.value', use: 'any' },
    ]));
  }

  const g = config.users.groups;
  if (g) {
    tables.push(relatedTable('groups', 'users.groups', g.table, g.userKey, [{ column: g.group, configKey: 'users.groups.group', use: 'text' }]));
  }

  const id = config.users.identities;
  if (id) {
    tables.push(relatedTable('identities', 'users.identities', id.table, id.userKey, [
      { column: id.provider, configKey: 'users.identities.provider', use: 'text' },
      { column: id.providerUserId, configKey: 'users.identities.providerUserId', use: 'text' },
    ]));
  }
  return tables;
}
