import { inSchema, type Preset } from './preset.js';

/**
 * Joomla's users (installation/sql/mysql/base.sql, `#__users`; `#__` is the site's table prefix
 * from configuration.php's $dbprefix, random per installation since Joomla 2.5, hence required).
 * `password` holds every generation Joomla wrote and kept: bcrypt `$2y$` (3.2+) and argon2 (4+),
 * which cidaas checks, phpass `$P$` (2.5-3.1) and `md5hex:salt` (1.5), for the verifier
 * (CUSTOM_PHPASS, CUSTOM_JOOMLA_MD5); Joomla re-hashes at login, so a table holds several.
 * `block = 1` is a blocked account and an unactivated registration (Joomla blocks it until the
 * activation link): neither is pushed (deleted or locked per cidaas.onDelete). `name` is the full
 * name (nickname). Groups (`#__user_usergroup_map`, `#__usergroups.title`) are not mapped: Joomla's
 * titles ("Super Users") are not cidaas groupIds; `users.groups` with a `map` does it. Two-factor
 * secrets (3.x `otpKey`, 4+ `#__user_mfa`) are encrypted with the site secret: no MFA.
 */
export const joomlaPreset: Preset = {
  name: 'joomla',
  title: 'Joomla (#__users)',
  sources: ['joomla/joomla-cms: installation/sql/mysql/base.sql (#__users), libraries/src/User/UserHelper.php (hashPassword, verifyPassword)'],
  params: { tablePrefix: 'required' },
  build: (p) => ({
    users: {
      table: inSchema(p, `${p.tablePrefix ?? ''}users`),
      key: 'id',
      fields: { email: 'email', username: 'username', nickname: 'name', createdTime: 'registerDate' },
      softDelete: { column: 'block', equals: 1 },
      // Written at every visit, password reset and settings change.
      ignoreColumns: ['lastvisitDate', 'lastResetTime', 'resetCount', 'requireReset', 'activation', 'params', 'otep', 'otpKey'],
    },
    password: { hash: 'password', algorithm: 'auto' },
  }),
};
