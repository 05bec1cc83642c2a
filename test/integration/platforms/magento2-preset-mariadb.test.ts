import { createHash, randomBytes } from 'node:crypto';
import { presetSuite } from './preset-suite.js';

// magento/magento2 app/code/Magento/Customer/etc/db_schema.xml, customer_entity, as the declarative
// schema creates it on MariaDB (the foreign keys to store and store_website left out: those tables are not part of the test).
const DDL = [
  `CREATE TABLE customer_entity (
    entity_id int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
    website_id smallint(5) unsigned DEFAULT NULL COMMENT 'Website ID',
    email varchar(255) DEFAULT NULL COMMENT 'Email',
    group_id smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Group ID',
    increment_id varchar(50) DEFAULT NULL COMMENT 'Increment ID',
    store_id smallint(5) unsigned DEFAULT 0 COMMENT 'Store ID',
    created_at timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Created At',
    updated_at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Updated At',
    is_active smallint(5) unsigned NOT NULL DEFAULT 1 COMMENT 'Is Active',
    disable_auto_group_change smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Disable automatic group change based on VAT ID',
    created_in varchar(255) DEFAULT NULL COMMENT 'Created From',
    prefix varchar(40) DEFAULT NULL COMMENT 'Name Prefix',
    firstname varchar(255) DEFAULT NULL COMMENT 'First Name',
    middlename varchar(255) DEFAULT NULL COMMENT 'Middle Name/Initial',
    lastname varchar(255) DEFAULT NULL COMMENT 'Last Name',
    suffix varchar(40) DEFAULT NULL COMMENT 'Name Suffix',
    dob date DEFAULT NULL COMMENT 'Date of Birth',
    password_hash varchar(128) DEFAULT NULL COMMENT 'Password_hash',
    rp_token varchar(128) DEFAULT NULL COMMENT 'Reset password token',
    rp_token_created_at datetime DEFAULT NULL COMMENT 'Reset password token creation time',
    default_billing int(10) unsigned DEFAULT NULL COMMENT 'Default Billing Address',
    default_shipping int(10) unsigned DEFAULT NULL COMMENT 'Default Shipping Address',
    taxvat varchar(50) DEFAULT NULL COMMENT 'Tax/VAT Number',
    confirmation varchar(64) DEFAULT NULL COMMENT 'Is Confirmed',
    gender smallint(5) unsigned DEFAULT NULL COMMENT 'Gender',
    failures_num smallint(6) DEFAULT 0 COMMENT 'Failure Number',
    first_failure timestamp NULL DEFAULT NULL COMMENT 'First Failure',
    lock_expires timestamp NULL DEFAULT NULL COMMENT 'Lock Expiration Date',
    session_cutoff timestamp NULL DEFAULT NULL COMMENT 'Session Cutoff Time',
    PRIMARY KEY (entity_id),
    UNIQUE KEY CUSTOMER_ENTITY_EMAIL_WEBSITE_ID (email, website_id),
    KEY CUSTOMER_ENTITY_STORE_ID (store_id), KEY CUSTOMER_ENTITY_WEBSITE_ID (website_id),
    KEY CUSTOMER_ENTITY_FIRSTNAME (firstname), KEY CUSTOMER_ENTITY_LASTNAME (lastname)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COMMENT='Customer Entity'`,
];

// A Magento 2.4 customer fixture's argon2id13 hash (test/unit/password/formats/custom-hash-vectors.ts).
const VECTOR = 'abf1de8d537a1270237b9b56c8db9c67aeece6d89639a64d5ffd7264262541ab:PNK7gwTSnTc9L8AXZEvgZQ4SA66qirus:3_32_2_67108864';

/** Encryptor::getHash($password, true) on a host without sodium: hash version 1, sha256(salt + password), a 32-character salt. */
function magentoSha256(password: string): string {
  const salt = randomBytes(24).toString('base64').replace(/[+/]/g, 'x');
  return `${createHash('sha256').update(salt + password).digest('hex')}:${salt}:1`;
}

presetSuite({
  title: 'preset: magento2 (customer_entity) on MariaDB, hash:salt:version through the verifier',
  kind: 'mysql',
  ddl: DDL,
  tables: [],
  preset: () => 'magento2',
  verifier: true,
  algorithm: 'CUSTOM_MAGENTO2',
  passwords: ['Password@2022', 'magento-ben-1', 'magento-cat-1'],
  addUser: async (db, name, password) => {
    await db.exec(`INSERT INTO customer_entity (website_id, email, group_id, store_id, is_active, created_in, firstname, lastname, dob, password_hash)
      VALUES (1, ?, 1, 1, 1, 'Default Store View', ?, 'Example', '1990-04-01', ?)`, [`${name}@example.com`, name, password === 'Password@2022' ? VECTOR : magentoSha256(password)]);
    return String((await db.exec('SELECT entity_id FROM customer_entity WHERE email = ?', [`${name}@example.com`]))[0]!.entity_id);
  },
  setPassword: async (db, key, password) => {
    // AccountManagement::resetPassword: the new hash, the reset token cleared, the lockout reset.
    await db.exec('UPDATE customer_entity SET password_hash = ?, rp_token = NULL, rp_token_created_at = NULL, failures_num = 0, first_failure = NULL, lock_expires = NULL WHERE entity_id = ?', [magentoSha256(password), key]);
  },
});
