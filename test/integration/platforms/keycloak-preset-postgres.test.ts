import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { base32Encode } from '../../../src/mfa/base32.js';
import { presetSuite } from './preset-suite.js';
import { KEYCLOAK_DDL } from './platform-schemas.js';

const DDL = KEYCLOAK_DDL;
const SHOP = randomUUID();
const MASTER = randomUUID();

/**
 * Pbkdf2PasswordHashProvider (Keycloak 12..23 default: pbkdf2-sha256, 27,500 iterations, 512-bit
 * key, 16-byte salt; a password under 14 characters padded with NUL for FIPS), as the
 * credential's secret_data and credential_data JSON.
 */
function credential(password: string): [string, string] {
  const salt = randomBytes(16);
  const padded = password.length < 14 ? password + '\0'.repeat(14 - password.length) : password;
  return [
    JSON.stringify({ value: pbkdf2Sync(padded, salt, 27_500, 64, 'sha256').toString('base64'), salt: salt.toString('base64'), additionalParameters: {} }),
    JSON.stringify({ hashIterations: 27_500, algorithm: 'pbkdf2-sha256', additionalParameters: {} }),
  ];
}

presetSuite({
  title: 'preset: keycloak (one realm of two) on PostgreSQL (#11)',
  kind: 'postgres',
  ddl: DDL,
  tables: ['user_entity', 'credential', 'user_group_membership', 'federated_identity'],
  preset: () => ({ name: 'keycloak', realmId: SHOP }),
  setup: async (db) => {
    await db.exec('INSERT INTO realm (id, name) VALUES (?, ?), (?, ?)', [SHOP, 'shop', MASTER, 'master']);
    // The master realm's admin: never migrated.
    await db.exec("INSERT INTO user_entity (id, email, email_verified, enabled, realm_id, username) VALUES (?, 'admin@example.org', true, true, ?, 'admin')", [randomUUID(), MASTER]);
  },
  verifier: false,
  algorithm: 'PBKDF2_SHA256',
  passwords: ['Kc-ann-pass', 'Kc-ben-pass', 'Kc-cat-pass-long'],
  addUser: async (db, name, password) => {
    const id = randomUUID();
    await db.exec(`INSERT INTO user_entity (id, email, email_constraint, email_verified, enabled, first_name, last_name, realm_id, username, created_timestamp)
      VALUES (?, ?, ?, true, true, ?, '', ?, ?, ?)`, [id, `${name}@example.org`, `${name}@example.org`, name, SHOP, name, Date.now()]);
    const [secret, data] = credential(password);
    await db.exec("INSERT INTO credential (id, type, user_id, created_date, secret_data, credential_data, priority) VALUES (?, 'password', ?, ?, ?, ?, 10)",
      [randomUUID(), id, Date.now(), secret, data]);
    return id;
  },
  setPassword: async (db, key, password) => {
    // Keycloak keeps the old hash as a password-history credential, then updates the password row.
    const [old] = await db.exec("SELECT id, secret_data, credential_data FROM credential WHERE user_id = ? AND type = 'password'", [key]);
    await db.exec("INSERT INTO credential (id, type, user_id, created_date, secret_data, credential_data, priority) VALUES (?, 'password-history', ?, ?, ?, ?, 10)",
      [randomUUID(), key, Date.now(), old!.secret_data, old!.credential_data]);
    const [secret, data] = credential(password);
    await db.exec('UPDATE credential SET secret_data = ?, credential_data = ?, created_date = ? WHERE id = ?', [secret, data, Date.now(), old!.id]);
  },
  addTotp: async (db, key) => {
    // HmacOTP.generateSecret: letters and digits, kept as text; its UTF-8 bytes are the key.
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const text = Array.from(randomBytes(20), (b) => chars[b % chars.length]).join('');
    await db.exec("INSERT INTO credential (id, type, user_id, created_date, user_label, secret_data, credential_data, priority) VALUES (?, 'otp', ?, ?, 'Phone', ?, ?, 20)",
      [randomUUID(), key, Date.now(), JSON.stringify({ value: text }), JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' })]);
    return base32Encode(Buffer.from(text, 'utf8'));
  },
  // Account console, "Signing in", remove the authenticator: the otp credential row goes.
  disableTotp: async (db, key) => { await db.exec("DELETE FROM credential WHERE user_id = ? AND type = 'otp'", [key]); },
});
