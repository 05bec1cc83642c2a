import { expect } from 'chai';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { base32Encode } from '../../../src/mfa/base32.js';
import { presetSuite } from './preset-suite.js';

// django/contrib/auth/migrations 0001..0012 and django_otp/plugins/otp_totp/migrations 0001..0003 on PostgreSQL.
const DDL = [
  `CREATE TABLE auth_user (
    id serial PRIMARY KEY, password varchar(128) NOT NULL, last_login timestamptz NULL, is_superuser boolean NOT NULL,
    username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,
    email varchar(254) NOT NULL, is_staff boolean NOT NULL, is_active boolean NOT NULL, date_joined timestamptz NOT NULL)`,
  `CREATE TABLE otp_totp_totpdevice (
    id serial PRIMARY KEY, name varchar(64) NOT NULL, confirmed boolean NOT NULL, key varchar(80) NOT NULL,
    step smallint NOT NULL CHECK (step >= 0), t0 bigint NOT NULL, digits smallint NOT NULL CHECK (digits >= 0),
    tolerance smallint NOT NULL CHECK (tolerance >= 0), drift smallint NOT NULL, last_t bigint NOT NULL,
    user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    throttling_failure_count integer NOT NULL CHECK (throttling_failure_count >= 0),
    throttling_failure_timestamp timestamptz NULL, created_at timestamptz NULL, last_used_at timestamptz NULL)`,
  'ALTER TABLE otp_totp_totpdevice REPLICA IDENTITY FULL',
];

/** PBKDF2PasswordHasher.encode (django/contrib/auth/hashers.py). */
function djangoHash(password: string, salt = randomBytes(9).toString('hex'), iterations = 10_000): string {
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}
// tests/auth_tests/test_hashers.py (Django 1.4..1.6), test_pbkdf2: make_password('lètmein', 'seasalt', 'pbkdf2_sha256').
const VECTOR = 'pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=';

presetSuite({
  title: 'preset: django on PostgreSQL (#11)',
  kind: 'postgres',
  ddl: DDL,
  tables: ['auth_user', 'otp_totp_totpdevice'],
  preset: () => 'django',
  cli: true,
  verifier: false,
  algorithm: 'PBKDF2_SHA256',
  passwords: ['lètmein', 'django-ben-1', 'django-cat-1'],
  addUser: async (db, name, password) => {
    expect(djangoHash('lètmein', 'seasalt')).to.equal(VECTOR);
    const hash = password === 'lètmein' ? VECTOR : djangoHash(password);
    const rows = await db.exec(`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      VALUES (?, false, ?, ?, '', ?, false, true, now()) RETURNING id`, [hash, name, name, `${name}@example.com`]);
    return String(rows[0]!.id);
  },
  setPassword: async (db, key, password) => { await db.exec('UPDATE auth_user SET password = ? WHERE id = ?', [djangoHash(password), Number(key)]); },
  addTotp: async (db, key) => {
    const secret = randomBytes(20); // django_otp.util.random_hex(20)
    await db.exec(`INSERT INTO otp_totp_totpdevice (name, confirmed, key, step, t0, digits, tolerance, drift, last_t, user_id, throttling_failure_count)
      VALUES ('default', true, ?, 30, 0, 6, 1, 0, -1, ?, 0)`, [secret.toString('hex'), Number(key)]);
    return base32Encode(secret);
  },
  // django-otp's "remove device": the row goes.
  disableTotp: async (db, key) => { await db.exec('DELETE FROM otp_totp_totpdevice WHERE user_id = ?', [Number(key)]); },
});
