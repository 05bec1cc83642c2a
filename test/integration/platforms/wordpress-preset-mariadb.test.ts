import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { ITOA64 } from '../../../src/password/formats/crypt-base64.js';
import { base32Encode } from '../../../src/mfa/base32.js';
import { portableHash } from './platform-fixture.js';
import { presetSuite } from './preset-suite.js';
import { wordpressDdl } from './platform-schemas.js';

const DDL = wordpressDdl('shop_');

// openwall phpass test.php: "A correct hash for test12345" (the library WordPress bundles as class-phpass.php).
const VECTOR = '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0';

/** wp_hash_password() before 6.8: phpass portable, 2^8 rounds ("B"), 6 random bytes of salt. */
function wpHash(password: string): string {
  return portableHash(password, { id: '$P$', log2: 8, salt: Array.from(randomBytes(8), (b) => ITOA64[b % 64]).join('') });
}

/** wp_hash_password() from 6.8 (wp-includes/pluggable.php): '$wp' . password_hash(base64(HMAC-SHA384(password, 'wp-sha384'))), cost 10. */
function wp68Hash(password: string): string {
  return '$wp' + bcrypt.hashSync(createHmac('sha384', 'wp-sha384').update(password).digest('base64'), 10).replace(/^\$2b\$/, '$2y$');
}

presetSuite({
  title: 'preset: wordpress (table prefix shop_) on MariaDB, phpass and 6.8 $wp$ through the verifier (#11)',
  kind: 'mysql',
  ddl: DDL,
  tables: [],
  preset: () => ({ name: 'wordpress', tablePrefix: 'shop_' }),
  cli: true,
  verifier: true,
  algorithm: 'CUSTOM_PHPASS',
  passwords: ['test12345', 'wp-ben-1', 'wp-cat-1'],
  addUser: async (db, name, password) => {
    expect(portableHash('test12345', { id: '$P$', log2: 11, salt: 'IQRaTwmf' })).to.equal(VECTOR);
    const hash = password === 'test12345' ? VECTOR : wpHash(password);
    await db.exec(`INSERT INTO shop_users (user_login, user_pass, user_nicename, user_email, user_url, user_registered, display_name)
      VALUES (?, ?, ?, ?, '', NOW(), ?)`, [name, hash, name, `${name}@example.com`, name]);
    const id = String((await db.exec('SELECT ID FROM shop_users WHERE user_login = ?', [name]))[0]!.ID);
    await db.exec("INSERT INTO shop_usermeta (user_id, meta_key, meta_value) VALUES (?, 'first_name', ?), (?, 'last_name', ''), (?, 'session_tokens', 'a:0:{}')", [id, name, id, id]);
    return id;
  },
  // The site runs 6.8 by now: a changed password is written as $wp$ (CUSTOM_WORDPRESS_BCRYPT).
  setPassword: async (db, key, password) => { await db.exec('UPDATE shop_users SET user_pass = ? WHERE ID = ?', [wp68Hash(password), key]); },
  addTotp: async (db, key) => {
    const secret = base32Encode(randomBytes(20)); // Two_Factor_Totp::generate_key
    await db.exec("INSERT INTO shop_usermeta (user_id, meta_key, meta_value) VALUES (?, '_two_factor_totp_key', ?), (?, '_two_factor_enabled_providers', ?)",
      [key, secret, key, 'a:1:{i:0;s:15:"Two_Factor_Totp";}']);
    return secret;
  },
  // The user unticks TOTP on the profile screen: the provider goes, the key stays in _two_factor_totp_key.
  disableTotp: async (db, key) => {
    await db.exec("UPDATE shop_usermeta SET meta_value = 'a:0:{}' WHERE user_id = ? AND meta_key = '_two_factor_enabled_providers'", [key]);
  },
});
