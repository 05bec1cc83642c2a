import { aspnetIdentityPreset } from './aspnet-identity.js';
import { devisePreset } from './devise.js';
import { djangoPreset } from './django.js';
import { drupalPreset } from './drupal.js';
import { drupal7Preset } from './drupal7.js';
import { fosUserBundlePreset } from './fosuserbundle.js';
import { joomlaPreset } from './joomla.js';
import { keycloakPreset } from './keycloak.js';
import { laravelPreset } from './laravel.js';
import { magento2Preset } from './magento2.js';
import type { Preset } from './preset.js';
import type { PresetName } from './preset-names.js';
import { wordpressPreset } from './wordpress.js';

/** Every preset by its name. */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  django: djangoPreset,
  wordpress: wordpressPreset,
  keycloak: keycloakPreset,
  'aspnet-identity': aspnetIdentityPreset,
  drupal: drupalPreset,
  drupal7: drupal7Preset,
  laravel: laravelPreset,
  fosuserbundle: fosUserBundlePreset,
  magento2: magento2Preset,
  devise: devisePreset,
  joomla: joomlaPreset,
};
