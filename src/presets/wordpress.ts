import { inSchema, type Preset } from './preset.js';

/**
 * WordPress's users and user meta (wp-admin/includes/schema.php, `{$prefix}users` and
 * `{$prefix}usermeta`, the prefix being wp-config.php's $table_prefix) and the Two-Factor
 * plugin's TOTP (WordPress/two-factor providers/class-two-factor-totp.php: the base32 key in
 * `_two_factor_totp_key`, switched on while `Two_Factor_Totp` is in the PHP-serialised
 * `_two_factor_enabled_providers`). user_pass holds phpass `$P$` (CUSTOM_PHPASS, for the
 * verifier), `$2y$` bcrypt, or `$wp$` (6.8+, CUSTOM_WORDPRESS_BCRYPT); an empty value is "no password" (SSO plugins).
 * The ignored meta names change on every login or screen visit and carry nothing cidaas keeps.
 *
 * Roles (`preset: { name: wordpress, roles: true }`): `<prefix>capabilities` in usermeta, the
 * PHP-serialised map WP_User::set_role() / add_role() write (wp-includes/class-wp-user.php,
 * `update_user_meta($this->ID, $this->cap_key, $this->caps)`, cap_key = $wpdb->get_blog_prefix()
 * . 'capabilities'), each role set to true one cidaas group of the same name (users.groups.map or
 * prefix rename them). Off by default: a role is authorization, and a cidaas group named
 * `administrator` may grant more in the tenant's other apps than the site's role did, so the
 * operator switches it on knowing which groups the roles become (`check` lists each and whether
 * the tenant has it). A capability granted to one user (add_cap) sits in the same map and becomes
 * a group too, which `check` shows as a group to map or `unmapped: skip` to leave out.
 */
export const wordpressPreset: Preset = {
  name: 'wordpress',
  title: 'WordPress (wp_users + wp_usermeta, Two-Factor plugin TOTP)',
  sources: [
    'WordPress/wordpress-develop: src/wp-admin/includes/schema.php (wp_get_db_schema: users, usermeta)',
    'WordPress/wordpress-develop: src/wp-includes/pluggable.php (wp_hash_password, wp_check_password)',
    'WordPress/two-factor: providers/class-two-factor-totp.php, class-two-factor-core.php (meta keys)',
    'WordPress/wordpress-develop: src/wp-includes/class-wp-user.php (set_role, add_role, remove_role: <prefix>capabilities)',
  ],
  params: { tablePrefix: 'optional', roles: 'optional' },
  build: (p) => {
    const prefix = p.tablePrefix ?? 'wp_';
    const meta = inSchema(p, `${prefix}usermeta`);
    return {
      users: {
        table: inSchema(p, `${prefix}users`),
        key: 'ID',
        fields: { email: 'user_email', username: 'user_login', nickname: 'display_name' },
        ...(p.roles === true ? {
          groups: { table: meta, userKey: 'user_id', group: 'meta_value', decode: 'php-serialized-map' as const, filter: { meta_key: `${prefix}capabilities` } },
        } : {}),
      },
      password: { hash: 'user_pass', algorithm: 'auto' },
      attributes: {
        table: meta, userKey: 'user_id', name: 'meta_key', value: 'meta_value',
        fields: { given_name: 'first_name', family_name: 'last_name' },
        ignoreNames: [
          'session_tokens', `${prefix}user-settings`, `${prefix}user-settings-time`, `${prefix}dashboard_quick_press_last_post_id`,
          'community-events-location', 'dismissed_wp_pointers', '_two_factor_totp_last_successful_login',
          '_two_factor_failed_login_attempts', '_two_factor_last_login_failure', '_two_factor_nonce',
        ],
      },
      mfa: {
        table: meta, userKey: 'user_id', secret: 'meta_value', encoding: 'base32',
        filter: { meta_key: '_two_factor_totp_key' },
        enabledWhen: { attribute: '_two_factor_enabled_providers', contains: '"Two_Factor_Totp"' },
      },
    };
  },
};
