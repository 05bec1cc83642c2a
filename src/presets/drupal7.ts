import { inSchema, type Preset } from './preset.js';

/**
 * Drupal 7's `users` table (modules/user/user.install, user_schema()). `pass` is `$S$`
 * (includes/password.inc, CUSTOM_DRUPAL7), or `U$S$` for a Drupal 6 MD5 re-hashed by
 * user_update_7000(); uid 0 is the anonymous user and status 0 a blocked account: both are
 * deleted or locked in cidaas (cidaas.onDelete), never pushed. `access` and `login` change at
 * every visit and login.
 */
export const drupal7Preset: Preset = {
  name: 'drupal7',
  title: 'Drupal 7 (users)',
  sources: ['drupal/drupal (7.x): modules/user/user.install (user_schema), includes/password.inc'],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'users'),
      key: 'uid',
      fields: { email: 'mail', username: 'name' },
      softDelete: { column: 'status', equals: 0 },
      ignoreColumns: ['access', 'login'],
    },
    password: { hash: 'pass', algorithm: 'auto' },
  }),
};
