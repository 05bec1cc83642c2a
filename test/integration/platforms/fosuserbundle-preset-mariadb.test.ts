import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { symfonySha512 } from '../../../src/password/formats/symfony-sha512-hash.js';
import { presetSuite } from './preset-suite.js';

// FOSUserBundle 2.x's User mapping (Resources/config/doctrine-mapping/User.orm.xml) on an app entity
// `@ORM\Table(name="fos_user")` with an integer id, as Doctrine's MySQL platform emits it (the
// UNIQ_957A6479… index names are Doctrine's, from the table and column names).
const DDL = [
  `CREATE TABLE fos_user (id INT AUTO_INCREMENT NOT NULL, username VARCHAR(180) NOT NULL, username_canonical VARCHAR(180) NOT NULL,
    email VARCHAR(180) NOT NULL, email_canonical VARCHAR(180) NOT NULL, enabled TINYINT(1) NOT NULL, salt VARCHAR(255) DEFAULT NULL,
    password VARCHAR(255) NOT NULL, last_login DATETIME DEFAULT NULL, confirmation_token VARCHAR(180) DEFAULT NULL,
    password_requested_at DATETIME DEFAULT NULL, roles LONGTEXT NOT NULL COMMENT '(DC2Type:array)',
    UNIQUE INDEX UNIQ_957A647992FC23A8 (username_canonical), UNIQUE INDEX UNIQ_957A6479A0D96FBF (email_canonical),
    UNIQUE INDEX UNIQ_957A6479C05FB297 (confirmation_token), PRIMARY KEY(id)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci ENGINE = InnoDB`,
];

// Symfony's MessageDigestPasswordHasher with FOSUserBundle's `sha512` settings, run in PHP 8.2
// (test/unit/password/formats/custom-hash-vectors.ts): "password" with a FOSUserBundle 1.x salt.
const VECTOR = { salt: 'sq7x6gxsl1wcg0sg4ckcc0wg0s8kko8', hash: 'dre2NmR0unP+1WRKqrYjg6gLKpfq4iFQtNdzyg8fD+HWXna1ehhxAjTUBMSFeNGhkA878ZkSD5INz9Wkd5Rhgg==' };

/** FOSUserBundle 2.x PasswordUpdater with the sha512 encoder: a new salt (base64 of 32 random bytes, `+` as `.`, no padding). */
function sha512User(password: string): { salt: string; hash: string } {
  const salt = randomBytes(32).toString('base64').replace(/\+/g, '.').replace(/=+$/, '');
  return { salt, hash: symfonySha512(password, salt).toString('base64') };
}

presetSuite({
  title: 'preset: fosuserbundle (Symfony) on MariaDB, sha512 through the verifier and bcrypt after migrate_from',
  kind: 'mysql',
  ddl: DDL,
  tables: [],
  preset: () => 'fosuserbundle',
  cli: true,
  verifier: true,
  algorithm: 'CUSTOM_SYMFONY_SHA512',
  passwords: ['password', 'fos-ben-1', 'fos-cat-1'],
  addUser: async (db, name, password) => {
    const { salt, hash } = password === 'password' ? VECTOR : sha512User(password);
    await db.exec(`INSERT INTO fos_user (username, username_canonical, email, email_canonical, enabled, salt, password, roles)
      VALUES (?, ?, ?, ?, 1, ?, ?, 'a:0:{}')`, [name, name, `${name}@Example.com`, `${name}@example.com`, salt, hash]);
    return String((await db.exec('SELECT id FROM fos_user WHERE username = ?', [name]))[0]!.id);
  },
  setPassword: async (db, key, password) => {
    // ben's account has been upgraded (Symfony's migrate_from / PasswordUpgraderInterface): bcrypt, salt NULL.
    // cat's is still on the sha512 encoder: a new salt and hash. The table then holds both generations.
    const upgraded = (await db.exec('SELECT username FROM fos_user WHERE id = ?', [key]))[0]!.username === 'ben';
    const { salt, hash } = upgraded ? { salt: null, hash: bcrypt.hashSync(password, 10).replace(/^\$2b\$/, '$2y$') } : sha512User(password);
    await db.exec('UPDATE fos_user SET salt = ?, password = ?, password_requested_at = NULL, confirmation_token = NULL WHERE id = ?', [salt, hash, key]);
  },
});
