import type { TenantSocialProvider } from '../../config/tenant-schema.js';
import { Secret } from '../secret.js';
import type { SqlDialect } from '../sql-dialect.js';
import { readWordpressOptions } from './wordpress-options.js';

/*
 * The "WordPress Social Login" plugin (miled/wordpress-social-login, 3.0.x), as read in its source:
 * - includes/settings/wsl.initialization.php, wsl_register_setting(): each provider's settings are
 *   plain options (register_setting, no serialization): `wsl_settings_<Id>_enabled` ("1" on, "0" off),
 *   `wsl_settings_<Id>_app_id` for providers with `require_client_id`, `_app_key` for the others,
 *   `wsl_settings_<Id>_app_secret`, and `wsl_settings_<Id>_app_scope` when the provider has a
 *   default scope.
 * - includes/settings/wsl.providers.php:27ff ($WORDPRESS_SOCIAL_LOGIN_PROVIDERS_CONFIG): the ids
 *   `Facebook`, `Google`, `GitHub` have `require_client_id` (so `_app_id`); `LinkedIn2` (LinkedIn's
 *   OAuth 2.0 apps) has not (so `_app_key`).
 * Other providers (Twitter's OAuth 1.0a keys, Windows Live, whose user ids are not those of the
 * Microsoft identity platform, ...) are noted, never guessed.
 */

/** WSL provider id → the cidaas social provider and the option suffix of the client id. */
const KNOWN: Readonly<Record<string, { provider: string; id: 'app_id' | 'app_key' }>> = {
  Facebook: { provider: 'facebook', id: 'app_id' },
  Google: { provider: 'google', id: 'app_id' },
  GitHub: { provider: 'github', id: 'app_id' },
  LinkedIn2: { provider: 'linkedin', id: 'app_key' },
};

const OPTION = /^wsl_settings_([A-Za-z0-9]+)_enabled$/;

/** The social providers of WordPress Social Login's options (`option_name` → `option_value`). */
export function wslProviders(options: ReadonlyMap<string, string>): { providers: TenantSocialProvider[]; notes: string[] } {
  const notes: string[] = [];
  const providers: TenantSocialProvider[] = [];
  const ids = [...options.keys()].map((n) => OPTION.exec(n)?.[1]).filter((id): id is string => id !== undefined).sort();
  for (const id of ids) {
    const get = (suffix: string): string => (options.get(`wsl_settings_${id}_${suffix}`) ?? '').trim();
    const known = KNOWN[id];
    const what = `provider ${id} (WordPress Social Login)`;
    // PHP truthiness, as the plugin tests it: "" and "0" are off.
    if (get('enabled') === '' || get('enabled') === '0') {
      if (known && get(known.id)) notes.push(`${what}: configured but not enabled; not migrated`);
      continue;
    }
    if (!known) { notes.push(`${what}: no cidaas social login with the same OAuth client is known; declare it under tenant.socialProviders if cidaas offers it`); continue; }
    const clientId = get(known.id);
    const secret = get('app_secret');
    if (!clientId || !secret) { notes.push(`${what}: its ${known.id} or app_secret is empty; declare it under tenant.socialProviders`); continue; }
    const scopes = get('app_scope').split(/[\s,]+/).filter((s) => s !== '');
    providers.push({ provider: known.provider, clientId, clientSecret: new Secret(secret), scopes, enabled: true });
  }
  return { providers, notes };
}

/** Reads the plugin's `wsl_settings_*` options from `<prefix>options`. */
export function readWslOptions(dialect: SqlDialect, tablePrefix: string, schema?: string): Promise<Map<string, string>> {
  return readWordpressOptions(dialect, tablePrefix, schema, { names: [], like: 'wsl\\_settings\\_%' });
}
