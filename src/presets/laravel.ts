import { inSchema, type Preset } from './preset.js';

/**
 * Laravel's default `users` table (laravel/laravel database/migrations/0001_01_01_000000_
 * create_users_table.php): `password` is `$2y$` bcrypt (or argon2 with that driver), both
 * checked by cidaas. Fortify's two_factor_secret is encrypted with the APP_KEY, so it cannot be
 * migrated as it is and the preset sets no `mfa`. remember_token and updated_at change at login.
 */
export const laravelPreset: Preset = {
  name: 'laravel',
  title: 'Laravel (users)',
  sources: ['laravel/laravel: database/migrations/0001_01_01_000000_create_users_table.php'],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'users'),
      key: 'id',
      // email_verified_at is set by the verification link and reset to NULL when the address changes (Fortify's UpdateUserProfileInformation).
      fields: { email: 'email', email_verified: 'email_verified_at', nickname: 'name' },
      ignoreColumns: ['remember_token', 'updated_at'],
    },
    password: { hash: 'password', algorithm: 'auto' },
  }),
};
