import bcrypt from 'bcryptjs';
import { presetSuite } from './preset-suite.js';

// The Rails 7 schema of heartcombo/devise's generator migration (lib/generators/active_record/
// devise_generator.rb, migration_data) on PostgreSQL: bigint id, inet sign-in IPs, timestamp(6),
// with the Confirmable lines the generator leaves commented out switched on.
const DDL = [
  `CREATE TABLE public.users (
    id bigserial PRIMARY KEY,
    email character varying DEFAULT '' NOT NULL,
    encrypted_password character varying DEFAULT '' NOT NULL,
    reset_password_token character varying,
    reset_password_sent_at timestamp(6) without time zone,
    remember_created_at timestamp(6) without time zone,
    sign_in_count integer DEFAULT 0 NOT NULL,
    current_sign_in_at timestamp(6) without time zone,
    last_sign_in_at timestamp(6) without time zone,
    current_sign_in_ip inet,
    last_sign_in_ip inet,
    confirmation_token character varying,
    confirmed_at timestamp(6) without time zone,
    confirmation_sent_at timestamp(6) without time zone,
    unconfirmed_email character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
  )`,
  'CREATE UNIQUE INDEX index_users_on_email ON public.users USING btree (email)',
  'CREATE UNIQUE INDEX index_users_on_reset_password_token ON public.users USING btree (reset_password_token)',
  'CREATE UNIQUE INDEX index_users_on_confirmation_token ON public.users USING btree (confirmation_token)',
];

// php.net password_verify() example #1's bcrypt of "rasmuslerdorf", as Devise's bcrypt gem writes it ($2a$).
const VECTOR = '$2a$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq';

/** Devise::Encryptor.digest without a pepper: BCrypt::Password.create(password, cost: 12 in production; 10 here). */
function deviseHash(password: string): string {
  return bcrypt.hashSync(password, 10).replace(/^\$2b\$/, '$2a$');
}

presetSuite({
  title: 'preset: devise (Rails) on PostgreSQL, with confirmable mapped by the file',
  kind: 'postgres',
  ddl: DDL,
  tables: ['public.users'],
  preset: () => 'devise',
  overrides: { users: { fields: { email_verified: 'confirmed_at' } } },
  verifier: false,
  algorithm: 'BCRYPT_7',
  passwords: ['rasmuslerdorf', 'devise-ben-1', 'devise-cat-1'],
  addUser: async (db, name, password) => {
    const rows = await db.exec(`INSERT INTO public.users (email, encrypted_password, confirmed_at, sign_in_count, created_at, updated_at)
      VALUES (?, ?, now(), 0, now(), now()) RETURNING id`, [`${name}@example.com`, password === 'rasmuslerdorf' ? VECTOR : deviseHash(password)]);
    return String(rows[0]!.id);
  },
  changeEmail: async (db, key, email) => {
    // An address changed with its confirmation cleared (update_columns, as an admin tool does). Through the app, reconfirmable
    // keeps the confirmed address in `email` and the new one in unconfirmed_email until its link is followed.
    await db.exec('UPDATE public.users SET email = ?, confirmed_at = NULL, confirmation_token = ?, confirmation_sent_at = now(), updated_at = now() WHERE id = ?', [email, `tok-${key}`, key]);
  },
  setPassword: async (db, key, password) => {
    // Recoverable#reset_password: the new digest, the reset token cleared.
    await db.exec('UPDATE public.users SET encrypted_password = ?, reset_password_token = NULL, reset_password_sent_at = NULL, updated_at = now() WHERE id = ?', [deviseHash(password), key]);
  },
});
