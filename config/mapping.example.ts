/*
 * An example mapping module for the WordPress configuration (mysql.example.yaml).
 * The YAML mapping already built `entity`; this adds what YAML cannot say:
 * - WordPress keeps roles as a PHP-serialized array in wp_usermeta.wp_capabilities;
 *   they become the cidaas custom field `wp_roles`.
 * - A user flagged as spam (wp_users.user_status = 1) is locked in cidaas.
 * - Users without an email are not migrated ('skip').
 * It must do no I/O: the same function runs in the push, `preview` and `verify`.
 */
import type { CidaasUserDraft, LegacyUser, MappingResult } from './mapping-types.js';

export default function mapWordPressUser(entity: CidaasUserDraft, legacy: LegacyUser): MappingResult {
  if (entity.email === undefined || entity.email === '') return 'skip';
  const capabilities = legacy.attributes['wp_capabilities'] ?? '';
  // a:2:{s:13:"administrator";b:1;s:6:"editor";b:1;} -> ["administrator", "editor"]
  const roles = [...capabilities.matchAll(/s:\d+:"([^"]+)";b:1;/g)].map((m) => m[1] ?? '');
  return {
    ...entity,
    userStatus: Number(legacy.user['user_status']) === 1 ? 'LOCKED' : 'VERIFIED',
    customFields: { ...entity.customFields, wp_roles: roles },
  };
}
