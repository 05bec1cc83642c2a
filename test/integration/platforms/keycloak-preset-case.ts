import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { base32Encode } from '../../../src/mfa/base32.js';
import { waitFor } from '../../support/wait-for.js';
import type { PresetCase } from './preset-suite.js';
import { KEYCLOAK_DDL, KEYCLOAK_MYSQL_DDL } from './platform-schemas.js';

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

/**
 * Keycloak's preset proof on one database: one realm of two, the users Keycloak writes, its
 * password change (the old hash kept as password-history) and OTP devices. On MySQL/MariaDB the
 * tables are Keycloak's upper-case ones (`USER_ENTITY`); SQL column names are case-insensitive
 * there, so the statements differ only in the table names. Memberships and a linked login are
 * changed after the backfill and must follow.
 */
export function keycloakPresetCase(kind: 'postgres' | 'mysql', title: string): PresetCase {
  const SHOP = randomUUID();
  const MASTER = randomUUID();
  const STAFF = randomUUID();
  const t = (name: string): string => (kind === 'mysql' ? name.toUpperCase() : name);
  const sub = (key: string): string => `legacy-${key}`;
  return {
    title,
    kind,
    ddl: kind === 'mysql' ? KEYCLOAK_MYSQL_DDL : KEYCLOAK_DDL,
    tables: ['user_entity', 'credential', 'user_group_membership', 'federated_identity'],
    preset: () => ({ name: 'keycloak', realmId: SHOP }),
    setup: async (db) => {
      await db.exec(`INSERT INTO ${t('realm')} (id, name) VALUES (?, ?), (?, ?)`, [SHOP, 'shop', MASTER, 'master']);
      // The master realm's admin: never migrated.
      await db.exec(`INSERT INTO ${t('user_entity')} (id, email, email_verified, enabled, realm_id, username) VALUES (?, 'admin@example.org', true, true, ?, 'admin')`, [randomUUID(), MASTER]);
    },
    verifier: false,
    // On MariaDB, check also proves every upper-case column the preset names exists as spelled there.
    cli: kind === 'mysql',
    algorithm: 'PBKDF2_SHA256',
    passwords: ['Kc-ann-pass', 'Kc-ben-pass', 'Kc-cat-pass-long'],
    addUser: async (db, name, password) => {
      const id = randomUUID();
      await db.exec(`INSERT INTO ${t('user_entity')} (id, email, email_constraint, email_verified, enabled, first_name, last_name, realm_id, username, created_timestamp)
        VALUES (?, ?, ?, true, true, ?, '', ?, ?, ?)`, [id, `${name}@example.org`, `${name}@example.org`, name, SHOP, name, Date.now()]);
      const [secret, data] = credential(password);
      await db.exec(`INSERT INTO ${t('credential')} (id, type, user_id, created_date, secret_data, credential_data, priority) VALUES (?, 'password', ?, ?, ?, ?, 10)`,
        [randomUUID(), id, Date.now(), secret, data]);
      return id;
    },
    setPassword: async (db, key, password) => {
      // Keycloak keeps the old hash as a password-history credential, then updates the password row.
      const [old] = await db.exec(`SELECT id, secret_data, credential_data FROM ${t('credential')} WHERE user_id = ? AND type = 'password'`, [key]);
      await db.exec(`INSERT INTO ${t('credential')} (id, type, user_id, created_date, secret_data, credential_data, priority) VALUES (?, 'password-history', ?, ?, ?, ?, 10)`,
        [randomUUID(), key, Date.now(), old!['secret_data'], old!['credential_data']]);
      const [secret, data] = credential(password);
      await db.exec(`UPDATE ${t('credential')} SET secret_data = ?, credential_data = ?, created_date = ? WHERE id = ?`, [secret, data, Date.now(), old!['id']]);
    },
    addTotp: async (db, key) => {
      // HmacOTP.generateSecret: letters and digits, kept as text; its UTF-8 bytes are the key.
      const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      const text = Array.from(randomBytes(20), (b) => chars[b % chars.length]).join('');
      await db.exec(`INSERT INTO ${t('credential')} (id, type, user_id, created_date, user_label, secret_data, credential_data, priority) VALUES (?, 'otp', ?, ?, 'Phone', ?, ?, 20)`,
        [randomUUID(), key, Date.now(), JSON.stringify({ value: text }), JSON.stringify({ subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1' })]);
      return base32Encode(Buffer.from(text, 'utf8'));
    },
    // Account console, "Signing in", remove the authenticator: the otp credential row goes.
    disableTotp: async (db, key) => { await db.exec(`DELETE FROM ${t('credential')} WHERE user_id = ? AND type = 'otp'`, [key]); },
    afterBackfill: async (db, keys, emu) => {
      const [ann, ben] = [keys[0]!, keys[1]!];
      // The tenant has the group and the login provider (as `setup apply` leaves them).
      emu.setup.groups.set('staff', { groupId: 'staff', groupName: 'staff', groupType: 'keycloak' });
      emu.setup.social.set('google', { provider_name: 'google', enabled: true });
      const groupsOf = (key: string): string | undefined => emu.getUser(sub(key))?.groups?.map((g) => g.groupId).join();
      // Admin console: a top-level group (parent_group ' ' since 13.0), ann joins it; ben links Google.
      await db.exec(`INSERT INTO ${t('keycloak_group')} (id, name, parent_group, realm_id) VALUES (?, 'staff', ' ', ?)`, [STAFF, SHOP]);
      await db.exec(`INSERT INTO ${t('user_group_membership')} (group_id, user_id) VALUES (?, ?)`, [STAFF, ann]);
      await db.exec(`INSERT INTO ${t('federated_identity')} (identity_provider, realm_id, federated_user_id, federated_username, user_id) VALUES ('google', ?, '104242424242424242424', 'ben@gmail.com', ?)`, [SHOP, ben]);
      await waitFor(() => groupsOf(ann) === 'staff' && emu.getUser(sub(ben))?.identities?.length === 1,
        { timeoutMs: 60_000, message: () => `the membership and the link did not reach cidaas: ${String(groupsOf(ann))}, ${JSON.stringify(emu.getUser(sub(ben))?.identities)}` });
      expect(emu.getUser(sub(ben))!.identities).to.deep.equal([{ provider: 'google', providerUserId: '104242424242424242424' }]);
      // ann leaves the group: the row goes, and so does the membership in cidaas.
      await db.exec(`DELETE FROM ${t('user_group_membership')} WHERE user_id = ?`, [ann]);
      await waitFor(() => groupsOf(ann) === '', { timeoutMs: 60_000, message: () => `ann's membership stayed in cidaas: ${String(groupsOf(ann))}` });
    },
  };
}
