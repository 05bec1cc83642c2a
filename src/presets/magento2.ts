import { inSchema, type Preset } from './preset.js';

/**
 * Magento 2's customers (app/code/Magento/Customer/etc/db_schema.xml, customer_entity). The password
 * is `hash:salt:version` (lib/internal/Magento/Framework/Encryption/Encryptor.php: md5, sha256,
 * argon2id13; CUSTOM_MAGENTO2, checked by the verifier); NULL for an account created without one.
 * `is_active = 0` is a deactivated account: deleted or locked in cidaas (cidaas.onDelete). An email
 * is unique per website only (CUSTOMER_ENTITY_EMAIL_WEBSITE_ID): a store with several websites whose
 * customer accounts are not shared filters one website per tenant (`users: { filter: { website_id: 1 } }`).
 * `confirmation` holds the key of an unconfirmed address and NULL otherwise, the reverse of what
 * email_verified reads; it is left to a mapping module. Core has no customer two-factor.
 */
export const magento2Preset: Preset = {
  name: 'magento2',
  title: 'Magento 2 / Adobe Commerce (customer_entity)',
  sources: ['magento/magento2: app/code/Magento/Customer/etc/db_schema.xml (customer_entity), lib/internal/Magento/Framework/Encryption/Encryptor.php'],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'customer_entity'),
      key: 'entity_id',
      fields: { email: 'email', given_name: 'firstname', middle_name: 'middlename', family_name: 'lastname', birthdate: 'dob', createdTime: 'created_at' },
      softDelete: { column: 'is_active', equals: 0 },
      // Written at login, at failed logins, at password-reset requests and by address-book edits.
      ignoreColumns: ['updated_at', 'failures_num', 'first_failure', 'lock_expires', 'session_cutoff', 'rp_token', 'rp_token_created_at', 'default_billing', 'default_shipping'],
    },
    password: { hash: 'password_hash', algorithm: 'auto' },
  }),
};
