import { inSchema, type Preset } from './preset.js';

/**
 * WordPress's users and user meta (wp-admin/includes/schema.php, `{$prefix}users` and
 * `{$prefix}usermeta`, the prefix being wp-config.php's $table_prefix) and the Two-Factor
 * plugin's TOTP (WordPress/two-factor providers/class-two-factor-totp.php: the base32 key in
 * `_two_factor_totp_key`, switched on while `Two_Factor_Totp` is in the PHP-serialised
 * `_two_factor_enabled_providers`). user_pass holds phpass `$P$` (CUSTOM_PHPASS, for the
 * verifier), `$2y$` bcrypt, or `$wp$` (6.8+, CUSTOM_WORDPRESS_BCRYPT); an empty value is "no password" (SSO plugins).
 * The ignored meta names change on every login or screen visit and carry nothing cidaas keeps.
 */
export const wordpressPreset: Preset = {
  name: 'wordpress',
  title: 'WordPress (wp_users + wp_usermeta, Two-Factor plugin TOTP)',
  sources: [
    'WordPress/wordpress-develop: src/wp-admin/includes/schema.php (wp_get_db_schema: users, usermeta)',
    'WordPress/wordpress-develop: src/wp-includes/pluggable.php (wp_hash_password, wp_check_password)',
    'WordPress/two-factor: providers/class-two-factor-totp.php, class-two-factor-core.php (meta keys)',
  ],
  params: { tablePrefix: 'optional' },
  build: (p) => {
    const prefix = p.tablePrefix ?? 'wp_';
    const meta = inSchema(p, `${prefix}usermeta`);
    return {
      users: {
        table: inSchema(p, `${prefix}users`),
        key: 'ID',
        fields: { email: 'user_email', username: 'user_login', nickname: 'display_name' },
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
