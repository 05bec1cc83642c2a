import { expect } from 'chai';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { base32Encode } from '../../../src/mfa/base32.js';
import { presetSuite } from './preset-suite.js';
import { DJANGO_DDL } from './platform-schemas.js';

const DDL = DJANGO_DDL;

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
  tables: ['auth_user', 'otp_totp_totpdevice', 'auth_user_groups'],
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
