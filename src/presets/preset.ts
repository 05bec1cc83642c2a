import type { RawConfigInput } from '../../config/config-schema.js';
import type { PresetName } from './preset-names.js';

/** What a preset fills in: the sections that describe the platform's schema, as a user would write them. */
export type PresetFragment = Pick<RawConfigInput, 'users'> & Partial<Pick<RawConfigInput, 'password' | 'mfa' | 'attributes'>>;

/** The parameters `preset:` may carry besides its name. */
export interface PresetParams {
  /** PostgreSQL schema / MySQL database of every table (default: `public` / the database in source.url). */
  readonly schema?: string;
  /** WordPress: `$table_prefix` (default wp_); Joomla: `$dbprefix` (required). */
  readonly tablePrefix?: string;
  /** Keycloak: the realm's id. */
  readonly realmId?: string;
  /** WordPress: the user's roles (`<prefix>capabilities`) as cidaas groups; off unless true. */
  readonly roles?: boolean;
}

/** The source the preset's tables are read from: a platform may name them differently per database. */
export interface PresetSource {
  readonly kind: 'postgres' | 'mysql';
}

/** One platform: its tables, columns and markers, and where they were read from. */
export interface Preset {
  readonly name: PresetName;
  /** For people: the platform and the versions the schema holds for. */
  readonly title: string;
  /** The platform's own schema definitions the names, types and NULLs were taken from. */
  readonly sources: readonly string[];
  /** Parameters beyond `schema` the preset reads; `required` ones must be given. */
  readonly params: Partial<Record<Exclude<keyof PresetParams, 'schema'>, 'optional' | 'required'>>;
  build(params: PresetParams, source: PresetSource): PresetFragment;
}

/** `name`, in `params.schema` when one is given. */
export function inSchema(params: PresetParams, name: string): string {
  return params.schema === undefined ? name : `${params.schema}.${name}`;
}
