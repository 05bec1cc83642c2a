import type { TenantSocialProvider } from '../../config/tenant-schema.js';
import { Secret } from '../secret.js';
import type { SqlDialect } from '../sql-dialect.js';
import { optionValue, type PhpArray, type PhpValue } from './php-unserialize.js';
import { readWordpressOptions } from './wordpress-options.js';

/*
 * WordPress's Nextend Social Login plugin (wordpress.org/plugins/nextend-facebook-connect),
 * as read in its 3.0.20 source:
 * - class-settings.php:25-27 reads an option with get_option() then maybe_unserialize(), and
 *   :76 writes it with update_option($key, maybe_serialize($array)). WordPress serializes an
 *   already serialized string again, so `option_value` is a serialized string that holds the
 *   serialized settings array (both levels are unwrapped here; a single level is read too).
 * - nextend-social-login.php, NextendSocialLogin::init(): the option `nextend_social_login`
 *   holds `enabled`, the list of provider ids switched on; addProvider(): a provider is live
 *   only when its id is in that list and its own option has `tested` set.
 * - includes/provider.php, NextendSocialProvider::__construct(): each provider's settings are
 *   in the option `nsl_<id>`.
 * - providers/google/google.php:87-90: Google keeps `client_id` and `client_secret`.
 * - providers/facebook/facebook.php:57-60: Facebook keeps `appid` and `secret` (which the
 *   constants NEXTEND_FB_APP_ID / NEXTEND_FB_APP_SECRET in wp-config.php override, :82-91).
 * The Pro add-on's providers (LinkedIn, Microsoft, Apple, ...) are not in the free source, so
 * their option layout is not read here: they are noted, never guessed.
 */

/** Provider id → the cidaas social provider and the option keys of its client id and secret. */
const KNOWN: Readonly<Record<string, { provider: string; id: string; secret: string }>> = {
  google: { provider: 'google', id: 'client_id', secret: 'client_secret' },
  facebook: { provider: 'facebook', id: 'appid', secret: 'secret' },
};

const str = (v: PhpValue | undefined): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const truthy = (v: PhpValue | undefined): boolean => v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && v !== '' && v !== '0');
const asArray = (v: PhpValue): PhpArray | undefined => (v instanceof Map ? v : undefined);

/**
 * The social providers of Nextend Social Login's options (`option_name` → raw `option_value`).
 * Providers not switched on (or never tested, which the plugin treats as off) are left out with
 * a note, as are providers whose layout is not known here.
 */
export function nextendProviders(options: ReadonlyMap<string, string>): { providers: TenantSocialProvider[]; notes: string[] } {
  const notes: string[] = [];
  const providers: TenantSocialProvider[] = [];
  const read = (name: string): PhpArray | undefined => {
    const raw = options.get(name);
    if (raw === undefined) return undefined;
    try {
      const v = asArray(optionValue(raw));
      if (!v) notes.push(`option ${name}: not a settings array; ignored`);
      return v;
    } catch (err) {
      notes.push(`option ${name}: ${(err as Error).message}; ignored`);
      return undefined;
    }
  };
  const global = read('nextend_social_login');
  const enabledList = global?.get('enabled');
  const enabled = enabledList instanceof Map ? [...enabledList.values()].map(str).filter((s) => s !== '') : [];
  if (!global) notes.push('option nextend_social_login is missing: Nextend Social Login has no provider switched on');
  const ids = [...new Set([...enabled, ...[...options.keys()].filter((n) => n.startsWith('nsl_')).map((n) => n.slice(4))])].sort();
  for (const id of ids) {
    const known = KNOWN[id];
    const what = `provider ${id} (Nextend Social Login)`;
    if (!enabled.includes(id)) {
      const settings = known ? read(`nsl_${id}`) : undefined;
      if (known && settings && str(settings.get(known.id))) notes.push(`${what}: configured but not switched on; not migrated`);
      continue;
    }
    if (!known) {
      notes.push(`${what}: its settings layout is not known to cidaas-sync; declare it under tenant.socialProviders`);
      continue;
    }
    const settings = read(`nsl_${id}`);
    if (!settings) { notes.push(`${what}: switched on but option nsl_${id} is missing; not migrated`); continue; }
    if (!truthy(settings.get('tested'))) { notes.push(`${what}: switched on but never verified, which the plugin treats as off; not migrated`); continue; }
    const clientId = str(settings.get(known.id));
    const secret = str(settings.get(known.secret));
    if (!clientId || !secret) {
      notes.push(`${what}: its ${known.id} or ${known.secret} is empty in the database${id === 'facebook' ? ' (wp-config.php may define NEXTEND_FB_APP_ID / NEXTEND_FB_APP_SECRET)' : ''}; declare it under tenant.socialProviders`);
      continue;
    }
    providers.push({ provider: known.provider, clientId, clientSecret: new Secret(secret), scopes: [], enabled: true });
  }
  return { providers, notes };
}

/** Reads the plugin's options from `<prefix>options`: `nextend_social_login` and every `nsl_<id>`. */
export async function readNextendOptions(dialect: SqlDialect, tablePrefix: string, schema?: string): Promise<Map<string, string>> {
  const options = await readWordpressOptions(dialect, tablePrefix, schema, { names: ['nextend_social_login'], like: 'nsl\\_%' });
  return new Map([...options].filter(([n]) => n === 'nextend_social_login' || /^nsl_[a-z0-9_-]+$/.test(n)));
}
