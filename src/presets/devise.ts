import { inSchema, type Preset } from './preset.js';

/**
 * Ruby on Rails with Devise: the `users` table its generator creates (heartcombo/devise
 * lib/generators/active_record/devise_generator.rb, migration_data). `encrypted_password` is bcrypt
 * (`$2a$`, cidaas checks it) and "" for an account without one (OmniAuth sign-ups). With
 * `config.pepper` set, Devise hashes password + pepper, which no one but the app can check: a
 * mapping module must push those as a CUSTOM_ id for a verifier of your own. Confirmable is
 * commented out in the generator, so `confirmed_at` is not mapped here: with it, write
 * `users: { fields: { email_verified: confirmed_at } }` (set means verified). Trackable,
 * rememberable, recoverable and lockable columns change at sign-in and are ignored.
 * devise-two-factor encrypts `otp_secret` with the app's key: no MFA.
 */
export const devisePreset: Preset = {
  name: 'devise',
  title: 'Ruby on Rails + Devise (users)',
  sources: ['heartcombo/devise: lib/generators/active_record/devise_generator.rb (migration_data)'],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'users'),
      key: 'id',
      fields: { email: 'email', createdTime: 'created_at' },
      ignoreColumns: [
        'updated_at', 'reset_password_token', 'reset_password_sent_at', 'remember_created_at', 'sign_in_count',
        'current_sign_in_at', 'last_sign_in_at', 'current_sign_in_ip', 'last_sign_in_ip', 'confirmation_token',
        'confirmation_sent_at', 'failed_attempts', 'unlock_token',
      ],
    },
    password: { hash: 'encrypted_password', algorithm: 'auto' },
  }),
};
