/**
 * The PostgreSQL tables of the legacy shop that the demo and the tests build alike: `users`
 * (soft delete in `deleted_at`), `totp_devices` (only confirmed devices count) and `orders`,
 * which the sidecar does not read (no foreign key: legacy shops often keep the orders of deleted
 * users). Each side adds its own `credentials` table and settings.
 */
export const SHOP_POSTGRES_TABLES = {
  users: `CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    email_confirmed boolean NOT NULL DEFAULT false,
    first_name text, last_name text, phone text,
    login text UNIQUE,
    customer_number text,
    deleted_at timestamptz, last_login_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now())`,
  totpDevices: [
    `CREATE TABLE totp_devices (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    secret_base32 text NOT NULL,
    confirmed boolean NOT NULL DEFAULT false)`,
    'CREATE INDEX totp_devices_user_id ON totp_devices (user_id)',
  ],
  orders: `CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id bigint,
    total numeric(10, 2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`,
} as const;
