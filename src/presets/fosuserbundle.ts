import { inSchema, type Preset } from './preset.js';

/**
 * Symfony's FOSUserBundle (2.x; 1.3 adds locked/expired columns the preset does not read): the
 * `fos_user` table its documentation names (`@ORM\Table(name="fos_user")`; another name: set
 * users.table), columns from Resources/config/doctrine-mapping/User.orm.xml. `password` holds either
 * generation the bundle's encoders write: `sha512` (MessageDigestPasswordEncoder: base64 of sha512
 * x5000 over `password{salt}`, salt in `salt`; CUSTOM_SYMFONY_SHA512, checked by the verifier) or
 * bcrypt/argon2 (salt NULL; cidaas checks those itself), both at once after Symfony's migrate_from.
 * `enabled` is 0 until the registration's confirmation link is followed, and for an account an admin
 * disabled: neither is pushed (deleted or locked per cidaas.onDelete). `roles` (a PHP-serialized
 * array) is not mapped.
 */
export const fosUserBundlePreset: Preset = {
  name: 'fosuserbundle',
  title: 'Symfony FOSUserBundle (fos_user)',
  sources: [
    'FriendsOfSymfony/FOSUserBundle: Resources/config/doctrine-mapping/User.orm.xml, Util/PasswordUpdater.php',
    'symfony/symfony: src/Symfony/Component/PasswordHasher/Hasher/MessageDigestPasswordHasher.php',
  ],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'fos_user'),
      key: 'id',
      fields: { email: 'email', username: 'username' },
      softDelete: { column: 'enabled', equals: false },
      // Written at every login and password-reset request.
      ignoreColumns: ['last_login', 'confirmation_token', 'password_requested_at'],
    },
    password: { hash: 'password', salt: 'salt', algorithm: 'auto', fallback: 'CUSTOM_SYMFONY_SHA512' },
  }),
};
