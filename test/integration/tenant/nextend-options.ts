/**
 * Nextend Social Login options exactly as a WordPress site stores them in `wp_options`, made by
 * PHP 8.2's serialize() the way the plugin and WordPress write them: NSL's
 * NextendSocialLoginSettings::storeSettings() calls update_option($key, maybe_serialize($array)),
 * and update_option() runs maybe_serialize() once more, which serializes an already serialized
 * string again (WordPress wp-includes/functions.php maybe_serialize()). So `option_value` is a
 * serialized string that holds the serialized settings array. The settings keys are those of
 * NSL 3.0.20 (class NextendSocialProvider defaults + the Google/Facebook provider defaults).
 * The secrets are made up.
 */
export const NSL_GOOGLE_SECRET = 'GOCSPX-nsl-google-secret-Zx9';
export const NSL_FACEBOOK_SECRET = 'fb0123456789abcdef0123456789abcd';
export const NSL_TWITTER_SECRET = 'tw-secret-xyz';

/** option_name → option_value. `enabled` lists google, twitter and facebook (index 1 was removed by disableProvider()). */
export const NSL_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['nextend_social_login', "s:366:\"a:10:{s:7:\"enabled\";a:3:{i:0;s:6:\"google\";i:2;s:7:\"twitter\";i:3;s:8:\"facebook\";}s:18:\"register-flow-page\";s:0:\"\";s:8:\"ordering\";a:3:{i:0;s:8:\"facebook\";i:1;s:6:\"google\";i:2;s:7:\"twitter\";}s:8:\"licenses\";a:0:{}s:10:\"terms_show\";i:0;s:14:\"allow_register\";i:-1;s:5:\"debug\";s:1:\"0\";s:12:\"review_state\";i:-1;s:21:\"woocommerce_dismissed\";i:0;s:15:\"admin_bar_roles\";a:0:{}}\";"],
  ['nsl_google', "s:998:\"a:24:{s:14:\"settings_saved\";s:1:\"1\";s:6:\"tested\";i:1;s:21:\"custom_default_button\";s:0:\"\";s:18:\"custom_icon_button\";s:0:\"\";s:11:\"login_label\";s:45:\"Weiter mit <b>Google</b> – schnell & sicher\";s:10:\"link_label\";s:31:\"Link account with <b>Google</b>\";s:12:\"unlink_label\";s:33:\"Unlink account from <b>Google</b>\";s:11:\"user_prefix\";s:0:\"\";s:13:\"user_fallback\";s:0:\"\";s:18:\"oauth_redirect_url\";s:52:\"https://shop.example/wp-login.php?loginSocial=google\";s:5:\"terms\";s:0:\"\";s:16:\"sync_fields/link\";i:0;s:17:\"sync_fields/login\";i:0;s:9:\"ask_email\";s:10:\"when-empty\";s:8:\"ask_user\";s:5:\"never\";s:12:\"ask_password\";s:5:\"never\";s:9:\"auto_link\";s:5:\"email\";s:14:\"disabled_roles\";a:0:{}s:14:\"register_roles\";a:1:{i:0;s:7:\"default\";}s:33:\"sync_fields/fields/gender/enabled\";i:0;s:34:\"sync_fields/fields/gender/meta_key\";s:13:\"google_gender\";s:9:\"client_id\";s:60:\"448812344321-q1w2e3r4t5y6u7i8o9p0.apps.googleusercontent.com\";s:13:\"client_secret\";s:28:\"GOCSPX-nsl-google-secret-Zx9\";s:4:\"skin\";s:7:\"uniform\";}\";"],
  ['nsl_facebook', "s:276:\"a:7:{s:14:\"settings_saved\";s:1:\"1\";s:6:\"tested\";s:1:\"1\";s:5:\"appid\";s:16:\"1234567890123456\";s:6:\"secret\";s:32:\"fb0123456789abcdef0123456789abcd\";s:11:\"login_label\";s:29:\"Continue with <b>Facebook</b>\";s:14:\"disabled_roles\";a:0:{}s:14:\"register_roles\";a:1:{i:0;s:7:\"default\";}}\";"],
  ['nsl_twitter', "s:134:\"a:4:{s:14:\"settings_saved\";s:1:\"1\";s:6:\"tested\";s:1:\"1\";s:12:\"consumer_key\";s:6:\"tw-key\";s:15:\"consumer_secret\";s:13:\"tw-secret-xyz\";}\";"],
]);

/** The Google settings serialized once (a site whose option was written with update_option($key, $array)). */
export const NSL_GOOGLE_SINGLE = "a:24:{s:14:\"settings_saved\";s:1:\"1\";s:6:\"tested\";i:1;s:21:\"custom_default_button\";s:0:\"\";s:18:\"custom_icon_button\";s:0:\"\";s:11:\"login_label\";s:45:\"Weiter mit <b>Google</b> – schnell & sicher\";s:10:\"link_label\";s:31:\"Link account with <b>Google</b>\";s:12:\"unlink_label\";s:33:\"Unlink account from <b>Google</b>\";s:11:\"user_prefix\";s:0:\"\";s:13:\"user_fallback\";s:0:\"\";s:18:\"oauth_redirect_url\";s:52:\"https://shop.example/wp-login.php?loginSocial=google\";s:5:\"terms\";s:0:\"\";s:16:\"sync_fields/link\";i:0;s:17:\"sync_fields/login\";i:0;s:9:\"ask_email\";s:10:\"when-empty\";s:8:\"ask_user\";s:5:\"never\";s:12:\"ask_password\";s:5:\"never\";s:9:\"auto_link\";s:5:\"email\";s:14:\"disabled_roles\";a:0:{}s:14:\"register_roles\";a:1:{i:0;s:7:\"default\";}s:33:\"sync_fields/fields/gender/enabled\";i:0;s:34:\"sync_fields/fields/gender/meta_key\";s:13:\"google_gender\";s:9:\"client_id\";s:60:\"448812344321-q1w2e3r4t5y6u7i8o9p0.apps.googleusercontent.com\";s:13:\"client_secret\";s:28:\"GOCSPX-nsl-google-secret-Zx9\";s:4:\"skin\";s:7:\"uniform\";}";

/** The remaining scalar types: `serialize(['d' => 1.5, 'n' => null, 'b' => false, 'neg' => -42])`. */
export const PHP_SCALARS = "a:4:{s:1:\"d\";d:1.5;s:1:\"n\";N;s:1:\"b\";b:0;s:3:\"neg\";i:-42;}";

export const WSL_GOOGLE_SECRET = 'wsl-google-client-secret-7f3a';
export const WSL_FACEBOOK_SECRET = 'wsl0facebook0app0secret0123456789';
export const WSL_TWITTER_SECRET = 'wsl-twitter-consumer-secret-XYZ';

/**
 * "WordPress Social Login" options as its settings pages save them (plain strings, one option
 * per setting: includes/settings/wsl.initialization.php wsl_register_setting()), next to a few
 * of its other settings that are not providers. GitHub is configured but switched off.
 */
export const WSL_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['wsl_settings_Facebook_enabled', '1'], ['wsl_settings_Facebook_app_id', '2345678901234567'], ['wsl_settings_Facebook_app_secret', WSL_FACEBOOK_SECRET],
  ['wsl_settings_Google_enabled', '1'], ['wsl_settings_Google_app_id', '998877665544-wsl.apps.googleusercontent.com'], ['wsl_settings_Google_app_secret', WSL_GOOGLE_SECRET],
  ['wsl_settings_Google_app_scope', 'profile https://www.googleapis.com/auth/plus.profile.emails.read'],
  ['wsl_settings_Twitter_enabled', '1'], ['wsl_settings_Twitter_app_key', 'wsl-twitter-key'], ['wsl_settings_Twitter_app_secret', WSL_TWITTER_SECRET],
  ['wsl_settings_GitHub_enabled', '0'], ['wsl_settings_GitHub_app_id', 'Iv1.0123456789abcdef'], ['wsl_settings_GitHub_app_secret', 'gh-off-secret'],
  ['wsl_settings_use_popup', '2'], ['wsl_settings_redirect_url', ''], ['wsl_settings_connect_with_label', 'Connect with:'],
]);
