import { inSchema, type Preset } from './preset.js';

/**
 * Drupal 8 and later: the user entity's data table users_field_data (core/modules/user/src/
 * Entity/User.php baseFieldDefinitions, stored by UserStorageSchema), one row per user and
 * language; `default_langcode = 1` picks the user's own row. `pass` is `$S$` (PhpassHashedPassword,
 * CUSTOM_DRUPAL7 for the verifier) or, from Drupal 10.1, `$2y$` bcrypt (cidaas checks it). uid 0
 * is the anonymous user and status 0 a blocked account: both are deleted or locked in cidaas
 * (cidaas.onDelete), never pushed. Drupal core has no TOTP (the contributed tfa module encrypts
 * its seeds), so there is no `mfa`.
 */
export const drupalPreset: Preset = {
  name: 'drupal',
  title: 'Drupal 8, 9, 10, 11 (users_field_data)',
  sources: [
    'drupal/drupal: core/modules/user/src/Entity/User.php (baseFieldDefinitions)',
    'drupal/drupal: core/modules/user/src/UserStorageSchema.php, core/lib/Drupal/Core/Password/PhpassHashedPasswordBase.php',
  ],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'users_field_data'),
      key: 'uid',
      filter: { default_langcode: 1 },
      keyUniqueByFilter: true,
      fields: { email: 'mail', username: 'name' },
      softDelete: { column: 'status', equals: 0 },
      ignoreColumns: ['access', 'login', 'changed'],
    },
    password: { hash: 'pass', algorithm: 'auto' },
  }),
};
