import bcrypt from 'bcryptjs';
import { presetSuite } from './preset-suite.js';

// joomla/joomla-cms installation/sql/mysql/base.sql, `#__users` with the site's prefix (here `x7k2f_`).
const DDL = [
  `CREATE TABLE IF NOT EXISTS x7k2f_users (
    id int NOT NULL AUTO_INCREMENT, name varchar(400) NOT NULL DEFAULT '', username varchar(150) NOT NULL DEFAULT '',
    email varchar(100) NOT NULL DEFAULT '', password varchar(100) NOT NULL DEFAULT '', block tinyint NOT NULL DEFAULT 0,
    sendEmail tinyint DEFAULT 0, registerDate datetime NOT NULL, lastvisitDate datetime, activation varchar(100) NOT NULL DEFAULT '',
    params text NOT NULL, lastResetTime datetime COMMENT 'Date of last password reset',
    resetCount int NOT NULL DEFAULT 0 COMMENT 'Count of password resets since lastResetTime',
    otpKey varchar(1000) NOT NULL DEFAULT '' COMMENT 'Two factor authentication encrypted keys',
    otep varchar(1000) NOT NULL DEFAULT '' COMMENT 'Backup Codes',
    requireReset tinyint NOT NULL DEFAULT 0 COMMENT 'Require user to reset password on next login',
    authProvider varchar(100) NOT NULL DEFAULT '' COMMENT 'Name of used authentication plugin',
    PRIMARY KEY (id), KEY idx_name (name(100)), KEY idx_block (block), UNIQUE KEY idx_username (username), KEY email (email)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 DEFAULT COLLATE=utf8mb4_unicode_ci`,
];

// A Joomla 1.5 md5-hex:salt hash carried over by every upgrade since (joomla-cms JUserHelperTest::testGetCryptedPassword,
// as test/unit/password/formats/custom-hash-vectors.ts holds it).
const VECTOR = 'a334d9084fa0dc4ea5449afa047480e8:myPassswordHasSalt';

/** UserHelper::hashPassword since 3.2: password_hash(PASSWORD_BCRYPT), $2y$ (cost 10). */
function joomlaHash(password: string): string {
  return bcrypt.hashSync(password, 10).replace(/^\$2b\$/, '$2y$');
}

presetSuite({
  title: 'preset: joomla (table prefix x7k2f_) on MariaDB, a 1.5 md5 hash through the verifier beside bcrypt',
  kind: 'mysql',
  ddl: DDL,
  tables: [],
  preset: () => ({ name: 'joomla', tablePrefix: 'x7k2f_' }),
  verifier: true,
  algorithm: 'CUSTOM_JOOMLA_MD5',
  passwords: ['mySuperSecretPassword', 'joomla-ben-1', 'joomla-cat-1'],
  addUser: async (db, name, password) => {
    await db.exec(`INSERT INTO x7k2f_users (name, username, email, password, block, sendEmail, registerDate, activation, params)
      VALUES (?, ?, ?, ?, 0, 0, NOW(), '', '{}')`, [`${name} Example`, name, `${name}@example.com`, password === 'mySuperSecretPassword' ? VECTOR : joomlaHash(password)]);
    return String((await db.exec('SELECT id FROM x7k2f_users WHERE username = ?', [name]))[0]!.id);
  },
  setPassword: async (db, key, password) => {
    // Joomla's reset (Model\ResetModel::processResetComplete): the new hash, requireReset cleared, the reset counters touched.
    await db.exec('UPDATE x7k2f_users SET password = ?, requireReset = 0, activation = \'\', lastResetTime = NOW(), resetCount = resetCount + 1 WHERE id = ?', [joomlaHash(password), key]);
  },
});
