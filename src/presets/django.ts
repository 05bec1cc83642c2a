import { inSchema, type Preset } from './preset.js';

/**
 * Django's auth_user (django/contrib/auth/migrations 0001..0012) and django-otp's TOTP devices
 * (django_otp/plugins/otp_totp/migrations 0001..0003: otp_totp_totpdevice, `key` = 40 hex
 * characters, `confirmed` false until the user proved a code). The password column holds
 * `<algorithm>$...` (pbkdf2_sha256, argon2, bcrypt_sha256, ...) or the unusable marker `!`
 * + 40 characters (django/contrib/auth/hashers.py); `algorithm: auto` reads all of them.
 * `is_active = false` is Django's "cannot log in": such a user is deleted or locked in cidaas
 * (cidaas.onDelete). `last_login` changes at every login and is nothing cidaas needs. Group
 * memberships: auth_user_groups, named by auth_group.name (`users: { groups: null }` leaves them out).
 */
export const djangoPreset: Preset = {
  name: 'django',
  title: 'Django (django.contrib.auth + django-otp TOTP)',
  sources: [
    'django/django: django/contrib/auth/migrations/0001_initial.py .. 0012_alter_user_first_name_max_length.py',
    'django/django: django/contrib/auth/hashers.py (UNUSABLE_PASSWORD_PREFIX)',
    'django/django: django/contrib/auth/models.py (Group, PermissionsMixin.groups: auth_group, auth_user_groups)',
    'django-otp/django-otp: src/django_otp/plugins/otp_totp/migrations/0001_initial.py .. 0003',
  ],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'auth_user'),
      key: 'id',
      fields: { email: 'email', username: 'username', given_name: 'first_name', family_name: 'last_name' },
      softDelete: { column: 'is_active', equals: false },
      ignoreColumns: ['last_login'],
      // One row per membership (auth_user_groups: id, user_id, group_id); the group's name from
      // auth_group is the cidaas groupId unless users.groups.map or prefix says otherwise.
      groups: { table: inSchema(p, 'auth_user_groups'), userKey: 'user_id', group: 'group_id', lookup: { table: inSchema(p, 'auth_group'), key: 'id', name: 'name' } },
    },
    password: { hash: 'password', algorithm: 'auto' },
    mfa: { table: inSchema(p, 'otp_totp_totpdevice'), userKey: 'user_id', secret: 'key', encoding: 'hex', enabled: 'confirmed' },
  }),
};
