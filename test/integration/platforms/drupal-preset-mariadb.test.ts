import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import { ITOA64 } from '../../../src/password/formats/crypt-base64.js';
import { portableHash } from './platform-fixture.js';
import { presetSuite } from './preset-suite.js';

// A Drupal 7 hash of "password" (a port of includes/password.inc: kellerjmrtn/d7password README),
// as test/unit/password/formats/custom-hash-vectors.ts holds it.
const VECTOR = '$S$DI7p94K2RG7Nq2OJp2/T55TfjT/K8UYdDVSUELOgCNbNoHU2sdtq';

/** user_hash_password() / PhpassHashedPassword::hash(): `$S$`, 2^15 SHA-512 rounds ("D"), 8 salt characters. */
function drupalHash(password: string): string {
  return portableHash(password, { id: '$S$', log2: 15, salt: Array.from(randomBytes(8), (b) => ITOA64[b % 64]).join('') });
}

function checkVector(): void {
  expect(portableHash('password', { id: '$S$', log2: 15, salt: VECTOR.slice(4, 12) })).to.equal(VECTOR);
}

// Drupal 8+: core/modules/user/src/Entity/User.php baseFieldDefinitions as the SQL storage lays
// them out on MySQL/MariaDB (users + users_field_data), uid 0 the anonymous user as user_install() writes it.
presetSuite({
  title: 'preset: drupal (10, users_field_data) on MariaDB, $S$ through the verifier (#11)',
  kind: 'mysql',
  ddl: [
    `CREATE TABLE users (
      uid int(10) unsigned NOT NULL AUTO_INCREMENT, uuid varchar(128) CHARACTER SET ascii NOT NULL, langcode varchar(12) CHARACTER SET ascii NOT NULL,
      PRIMARY KEY (uid), UNIQUE KEY user_field__uuid__value (uuid)) DEFAULT CHARSET=utf8mb4 COMMENT='The base table for user entities.'`,
    `CREATE TABLE users_field_data (
      uid int(10) unsigned NOT NULL, langcode varchar(12) CHARACTER SET ascii NOT NULL,
      preferred_langcode varchar(12) CHARACTER SET ascii DEFAULT NULL, preferred_admin_langcode varchar(12) CHARACTER SET ascii DEFAULT NULL,
      name varchar(60) NOT NULL, pass varchar(255) DEFAULT NULL, mail varchar(254) DEFAULT NULL, timezone varchar(32) DEFAULT NULL,
      status tinyint(4) DEFAULT NULL, created int(11) NOT NULL, changed int(11) DEFAULT NULL, access int(11) NOT NULL,
      login int(11) DEFAULT NULL, init varchar(254) DEFAULT NULL, default_langcode tinyint(4) NOT NULL,
      PRIMARY KEY (uid, langcode), UNIQUE KEY user__name (name, langcode), KEY user_field__mail (mail(191)),
      KEY user_field__created (created), KEY user__id__default_langcode__langcode (uid, default_langcode, langcode)
    ) DEFAULT CHARSET=utf8mb4 COMMENT='The data table for user entities.'`,
  ],
  tables: [],
  preset: () => 'drupal',
  cli: true,
  setup: async (db) => {
    await db.exec("INSERT INTO users (uid, uuid, langcode) VALUES (0, ?, 'en')", [randomUUID()]);
    await db.exec("INSERT INTO users_field_data (uid, langcode, preferred_langcode, name, status, created, access, default_langcode) VALUES (0, 'en', 'en', '', 0, UNIX_TIMESTAMP(), 0, 1)");
  },
  verifier: true,
  algorithm: 'CUSTOM_DRUPAL7',
  passwords: ['password', 'drupal-ben-1', 'drupal-cat-1'],
  addUser: async (db, name, password) => {
    checkVector();
    await db.exec("INSERT INTO users (uuid, langcode) VALUES (?, 'en')", [randomUUID()]);
    const uid = String((await db.exec('SELECT LAST_INSERT_ID() AS id'))[0]!.id);
    await db.exec(`INSERT INTO users_field_data (uid, langcode, preferred_langcode, name, pass, mail, timezone, status, created, changed, access, login, init, default_langcode)
      VALUES (?, 'en', 'en', ?, ?, ?, 'Europe/Berlin', 1, UNIX_TIMESTAMP(), UNIX_TIMESTAMP(), 0, 0, ?, 1)`,
    [uid, name, password === 'password' ? VECTOR : drupalHash(password), `${name}@example.com`, `${name}@example.com`]);
    return uid;
  },
  setPassword: async (db, key, password) => {
    await db.exec('UPDATE users_field_data SET pass = ?, changed = UNIX_TIMESTAMP() WHERE uid = ?', [drupalHash(password), key]);
  },
});

// Drupal 7: modules/user/user.install user_schema(), uid 0 the anonymous user.
presetSuite({
  title: 'preset: drupal7 on MariaDB, $S$ through the verifier (#11)',
  kind: 'mysql',
  ddl: [
    `CREATE TABLE users (
      uid int(10) unsigned NOT NULL DEFAULT '0', name varchar(60) NOT NULL DEFAULT '', pass varchar(128) NOT NULL DEFAULT '',
      mail varchar(254) DEFAULT '', theme varchar(255) NOT NULL DEFAULT '', signature varchar(255) NOT NULL DEFAULT '',
      signature_format varchar(255) DEFAULT NULL, created int(11) NOT NULL DEFAULT '0', access int(11) NOT NULL DEFAULT '0',
      login int(11) NOT NULL DEFAULT '0', status tinyint(4) NOT NULL DEFAULT '0', timezone varchar(32) DEFAULT NULL,
      language varchar(12) NOT NULL DEFAULT '', picture int(11) NOT NULL DEFAULT '0', init varchar(254) DEFAULT '', data longblob,
      PRIMARY KEY (uid), UNIQUE KEY name (name), KEY access (access), KEY created (created), KEY mail (mail), KEY picture (picture)
    ) DEFAULT CHARSET=utf8 COMMENT='Stores user data.'`,
  ],
  tables: [],
  preset: () => 'drupal7',
  setup: async (db) => { await db.exec("INSERT INTO users (uid, name, mail) VALUES (0, '', '')"); },
  verifier: true,
  algorithm: 'CUSTOM_DRUPAL7',
  passwords: ['password', 'drupal7-ben-1', 'drupal7-cat-1'],
  addUser: async (db, name, password) => {
    checkVector();
    // Drupal 7 takes the next uid from the sequences table; max + 1 is the same here.
    const uid = String(Number((await db.exec('SELECT COALESCE(MAX(uid), 0) + 1 AS id FROM users'))[0]!.id));
    await db.exec(`INSERT INTO users (uid, name, pass, mail, created, status, timezone, language, init, data)
      VALUES (?, ?, ?, ?, UNIX_TIMESTAMP(), 1, 'Europe/Berlin', '', ?, NULL)`, [uid, name, password === 'password' ? VECTOR : drupalHash(password), `${name}@example.com`, `${name}@example.com`]);
    return uid;
  },
  setPassword: async (db, key, password) => { await db.exec('UPDATE users SET pass = ? WHERE uid = ?', [drupalHash(password), key]); },
});
