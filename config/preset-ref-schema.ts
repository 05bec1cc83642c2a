import { z } from 'zod';
import { PRESET_NAMES } from '../src/presets/preset-names.js';

const presetName = z.enum(PRESET_NAMES, { error: `must be one of ${PRESET_NAMES.join(', ')}` });

/**
 * `preset:` as written: a name, or the name with the platform's parameters. Which parameter
 * a platform takes (and needs) is checked where the preset is applied (config/apply-preset.ts).
 */
export const presetRefSchema = z.union([
  presetName,
  z.strictObject({
    name: presetName,
    /** The PostgreSQL schema or MySQL database of every table the preset names (default: public / the one in source.url). */
    schema: z.string().regex(/^[\p{L}_][\p{L}\p{N}_$]*$/u, { error: 'must be a plain schema or database name' }).optional(),
    /** WordPress: $table_prefix of wp-config.php (default wp_). */
    tablePrefix: z.string().regex(/^[A-Za-z0-9_]+$/, { error: 'must be letters, digits and `_`, as wp-config.php allows' }).optional(),
    /** Keycloak: the id of the realm to migrate (`SELECT id FROM realm WHERE name = '<realm>'`). */
    realmId: z.string().min(1).optional(),
    /** WordPress: the users' roles as cidaas groups (default false: roles are authorization; README "Platform presets"). */
    roles: z.boolean().optional(),
  }),
]);

/** `preset:` after parsing. */
export type PresetRef = z.output<typeof presetRefSchema>;
