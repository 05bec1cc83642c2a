import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { presetSuite } from './preset-suite.js';

// laravel/laravel database/migrations/0001_01_01_000000_create_users_table.php as the MySQL grammar emits it.
const DDL = [
  `CREATE TABLE users (
    id bigint unsigned NOT NULL AUTO_INCREMENT, name varchar(255) NOT NULL, email varchar(255) NOT NULL,
    email_verified_at timestamp NULL DEFAULT NULL, password varchar(255) NOT NULL, remember_token varchar(100) DEFAULT NULL,
    created_at timestamp NULL DEFAULT NULL, updated_at timestamp NULL DEFAULT NULL,
    PRIMARY KEY (id), UNIQUE KEY users_email_unique (email)
  ) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
];

// php.net password_verify() manual, example #1: the hash of "rasmuslerdorf" (Laravel's Hash::make is password_hash).
const VECTOR = '$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq';

/** Hash::make with the bcrypt driver: password_hash(PASSWORD_BCRYPT), $2y$; cost 10 here (Laravel 11 uses 12). */
function laravelHash(password: string): string {
  return bcrypt.hashSync(password, 10).replace(/^\$2b\$/, '$2y$');
}

presetSuite({
  title: 'preset: laravel on MariaDB (#11)',
  kind: 'mysql',
  ddl: DDL,
  tables: [],
  preset: () => 'laravel',
  verifier: false,
  algorithm: 'BCRYPT_7',
  passwords: ['rasmuslerdorf', 'laravel-ben-1', 'laravel-cat-1'],
  addUser: async (db, name, password) => {
    expect(bcrypt.compareSync('rasmuslerdorf', VECTOR.replace(/^\$2y\$/, '$2b$'))).to.equal(true);
    await db.exec(`INSERT INTO users (name, email, email_verified_at, password, remember_token, created_at, updated_at)
      VALUES (?, ?, NOW(), ?, ?, NOW(), NOW())`, [name, `${name}@example.com`, password === 'rasmuslerdorf' ? VECTOR : laravelHash(password), randomBytes(30).toString('base64url').slice(0, 60)]);
    return String((await db.exec('SELECT id FROM users WHERE email = ?', [`${name}@example.com`]))[0]!.id);
  },
  changeEmail: async (db, key, email) => {
    // Fortify's UpdateUserProfileInformation::updateVerifiedUser: a new address is unverified until its link is followed.
    await db.exec('UPDATE users SET email = ?, email_verified_at = NULL, updated_at = NOW() WHERE id = ?', [email, key]);
  },
  setPassword: async (db, key, password) => {
    // A password reset: a new hash and a new remember token.
    await db.exec('UPDATE users SET password = ?, remember_token = ?, updated_at = NOW() WHERE id = ?', [laravelHash(password), randomBytes(30).toString('base64url').slice(0, 60), key]);
  },
});
