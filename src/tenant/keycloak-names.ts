import type { LegacyRow } from '../legacy-reader.js';

/**
 * Keycloak's table and column names as its Liquibase changelogs leave them on each database: the
 * changelogs (keycloak/keycloak model/jpa/src/main/resources/META-INF/jpa-changelog-*.xml) write
 * every name in upper case (`<createTable tableName="USER_ENTITY">`, `<column name="REALM_ID">`);
 * PostgreSQL folds those unquoted names to lower case, MySQL and MariaDB keep them as written. On
 * Linux MySQL compares table names case-sensitively (lower_case_table_names=0, the default there),
 * so `user_entity` does not name Keycloak's table; with lower_case_table_names=1 the server folds
 * what a query names, so the upper-case name still finds it. Column names are not case-sensitive
 * in SQL, but rows come back keyed by the column's own spelling. Keycloak itself asks for no
 * lower_case_table_names setting (its database guide, keycloak.org/server/db, names none): its JPA
 * entities use the same upper-case names (`@Table(name="USER_ENTITY")`; keycloak/keycloak#1790,
 * KEYCLOAK-2032, made them match "when using JPA with a case sensitive database"). A reader that
 * says `user_entity` fails there with error 1146 (casdoor/casdoor#3171 met exactly that).
 *
 * The one place that decides a Keycloak name per source kind: the keycloak preset and the
 * `tenant.from` kind keycloak readers both ask here.
 */
export function keycloakName(kind: 'postgres' | 'mysql', lowerName: string): string {
  return kind === 'mysql' ? lowerName.toUpperCase() : lowerName;
}

/** A row read with `SELECT *` from a Keycloak table, keyed by lower-case column names whatever the database. */
export function lowerCaseKeys(row: LegacyRow): LegacyRow {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k.toLowerCase()] = v;
  return out;
}

/** Where a Keycloak database's tables are: the source kind, and the schema (MySQL: database) when not the connection's. */
export interface KeycloakDb {
  readonly kind: 'postgres' | 'mysql';
  readonly schema?: string | undefined;
}

/** A Keycloak table by its lower-case name, spelled and qualified as `db` holds it (unquoted). */
export function keycloakTable(db: KeycloakDb, lowerName: string): string {
  const name = keycloakName(db.kind, lowerName);
  return db.schema ? `${db.schema}.${name}` : name;
}
